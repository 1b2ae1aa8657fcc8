// compute_step_bound: the pipeline programs in order with per-chunk compute and blocking TP time.
#include "sim/step/step_bound.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "sim/model/stage_assignment.h"
#include "sim/parallel/placement.h"
#include "sim/parallel/schedule_check.h"
#include "sim/parallel/schedules.h"
#include "sim/step/simulate.h"
#include "sim/step/stage_costs.h"

namespace deepsim {
namespace {

// Seconds as picoseconds rounded down: a bound must not round up where the engine's durations may not.
Time floor_time(double seconds) { return Time::ps(static_cast<Time::rep>(std::floor(seconds * Time::kPerSecond))); }

// One micro-batch's work on one chunk, by pass, as the chain of the step graph holds it.
struct ChunkTime {
  Time forward, backward_input, backward_weight;
};

// How many all-reduce-equivalents (2 (n-1)/n S each) of blocking TP communication one block of a layer
// puts on the compute stream, per pass, mirroring the step graph's tp_op (sim/step/step_graph.cpp):
// an all-gather (sequence parallelism) and a reduce-scatter count half each, an all-reduce one.
struct TpBlock {
  double forward = 0, backward = 0;
};

TpBlock tp_block(const Scenario& s, const LayerCost& l, bool mlp) {
  const ParallelSpec& p = s.parallel;
  TpBlock b;
  if (p.tp <= 1 || p.tp_comm_overlap != TpCommOverlap::kNone) return b;
  const bool sp = p.sequence_parallel;
  const bool reduces = !(mlp && l.moe && s.model.moe.shared_experts == 0);
  const double gather = sp ? 0.5 : 0.0;
  const double reduce = reduces ? (sp ? 0.5 : 1.0) : 0.0;
  b.forward = gather + reduce;
  b.backward = gather + reduce + (sp && reduces ? 0.5 : 0.0);  // the output gradient's gather, the
                                                                // input gradient's reduction, the re-gather
  if (s.training.recompute == RecomputeMode::kFull) b.backward += gather + reduce;  // the re-run forward
  return b;
}

// The chunk's dense parameters on one GPU, as the step graph's DP buckets count them.
double chunk_dense_params(const StageCost& st) {
  double n = st.pre_params + st.post_params;
  for (const LayerCost& l : st.layers) n += l.dense_params;
  return n;
}

// ZeRO-2 reduces each micro-batch's gradients: every full backward and every W of a rank sends its
// chunk's dense gradients (FP32) as reduce-scatters over the DP-CP group, one after another on the
// rank's DP stream. When the group's GPUs sit on distinct nodes (and no NVLink domain spans nodes),
// every ring step leaves through the GPU's NIC, (n-1)/n x S at most at its line rate: the step is at
// least the busiest rank's sum of those. Zero otherwise (other ZeRO stages, or peers on NVLink).
Time zero2_dp_stream_bound(const Scenario& s, const StaticAnalysis& a, const Schedule& sched,
                           const std::vector<StageCost>& stages) {
  const ParallelSpec& p = s.parallel;
  const ClusterSpec& c = s.cluster;
  const double nic = c.nic.line_rate.bytes_per_s();
  if (p.zero_stage < 2 || c.gpu.nvlink_domain > c.gpus_per_node || nic <= 0 || a.memory.stages.empty()) return Time::zero();
  const auto placement = Placement::make(p, c);
  if (!placement.ok()) return Time::zero();
  Time busiest;
  for (int r = 0; r < sched.ranks; ++r) {
    const std::vector<GpuId> group = placement->dp_cp_group(r, 0);
    const auto n = static_cast<double>(group.size());
    if (group.size() < 2) continue;
    std::vector<int> nodes;
    for (const GpuId g : group) nodes.push_back(static_cast<int>(g.value()) / c.gpus_per_node);
    std::ranges::sort(nodes);
    if (std::ranges::adjacent_find(nodes) != nodes.end()) continue;  // peers on NVLink: no NIC bound
    // The rank's FP32 gradient bytes (the memory model's, as comm_costs gives the DP sync) split over its
    // chunks by their parameters, as the step graph's buckets share them.
    std::map<int, std::size_t> chunks;  // chunk -> stage
    const auto& prog = sched.program[static_cast<std::size_t>(r)];
    for (const Instr& in : prog)
      if (in.op == PipeOp::kForward) chunks[in.piece.chunk] = static_cast<std::size_t>(sched.route(in.piece.mb).position(r, in.piece.chunk));
    for (const Instr& in : prog)
      if (in.op == PipeOp::kForwardBackward) {
        chunks[in.piece.chunk] = static_cast<std::size_t>(sched.route(in.piece.mb).position(r, in.piece.chunk));
        chunks[in.other.chunk] = static_cast<std::size_t>(sched.route(in.other.mb).position(r, in.other.chunk));
      }
    double rank_params = 0;
    for (const auto& [chunk, stage] : chunks) rank_params += chunk_dense_params(stages[stage]);
    if (rank_params <= 0) continue;
    const double grad_bytes = 4.0 * static_cast<double>(a.memory.stages[std::min<std::size_t>(static_cast<std::size_t>(r), a.memory.stages.size() - 1)].dense_params);
    double seconds = 0;
    auto reduce = [&](const Piece& piece) {
      const auto stage = static_cast<std::size_t>(sched.route(piece.mb).position(r, piece.chunk));
      seconds += (n - 1) / n * grad_bytes * chunk_dense_params(stages[stage]) / rank_params / nic;
    };
    for (const Instr& in : prog) {
      if (in.op == PipeOp::kBackward || in.op == PipeOp::kBackwardWeight) reduce(in.piece);
      if (in.op == PipeOp::kForwardBackward) reduce(in.other);
    }
    busiest = max(busiest, floor_time(seconds));
  }
  return busiest;
}

}  // namespace

struct StepBoundMemo::State {
  std::mutex mutex;
  bool bound = false;  // identity below set
  ModelSpec model;
  GpuSpec gpu;
  std::string profile;
  std::map<std::tuple<int, int, int, int>, std::shared_ptr<const Schedule>> schedules;
  using CostKey = std::tuple<int, std::int64_t, int, int, int, int, bool, int, bool, int, int, int>;
  std::map<CostKey, std::shared_ptr<const std::vector<StageCost>>> costs;

  // Whether `s` has the memo's model, GPU and profile (the first scenario's).
  bool matches(const Scenario& s) {
    if (!bound) {
      model = s.model;
      gpu = s.cluster.gpu;
      profile = s.calibration.profile;
      bound = true;
    }
    return s.model == model && s.cluster.gpu == gpu && s.calibration.profile == profile;
  }
};

StepBoundMemo::StepBoundMemo() : state_(std::make_unique<State>()) {}
StepBoundMemo::~StepBoundMemo() = default;

Time compute_step_bound(const Scenario& s, const StaticAnalysis& a, StepBoundMemo* memo) {
  const ParallelSpec& par = s.parallel;
  StepBoundMemo::State* shared = nullptr;
  if (memo != nullptr) {
    const std::lock_guard lock(memo->state_->mutex);
    if (memo->state_->matches(s)) shared = memo->state_.get();
  }
  std::shared_ptr<const Schedule> schedule;
  const std::tuple<int, int, int, int> skey{static_cast<int>(par.schedule), par.pp, par.micro_batches, par.virtual_stages};
  if (shared != nullptr) {
    const std::lock_guard lock(shared->mutex);
    if (const auto it = shared->schedules.find(skey); it != shared->schedules.end()) schedule = it->second;
  }
  if (!schedule) {
    auto made = make_schedule(par);
    if (!made) return Time::zero();
    schedule = std::make_shared<const Schedule>(std::move(*made));
    if (shared != nullptr) {
      const std::lock_guard lock(shared->mutex);
      shared->schedules.emplace(skey, schedule);
    }
  }
  const Schedule& sched = *schedule;
  const ModelSpec& m = s.model;
  const int stage_count = static_cast<int>(sched.routes.front().size());
  const StageCostContext ctx = stage_cost_context(s);
  const OpContext& o = ctx.ops;
  const StepBoundMemo::State::CostKey ckey{stage_count, o.tokens, o.seq_len, o.tp, static_cast<int>(o.precision),
                                           static_cast<int>(o.recompute), o.causal, o.cp, o.sequence_parallel,
                                           o.expert_tp, ctx.ep, ctx.sms};
  std::shared_ptr<const std::vector<StageCost>> costs;
  if (shared != nullptr) {
    const std::lock_guard lock(shared->mutex);
    if (const auto it = shared->costs.find(ckey); it != shared->costs.end()) costs = it->second;
  }
  if (!costs) {
    const std::unique_ptr<KernelModel> model = kernel_model_for(s);
    costs = std::make_shared<const std::vector<StageCost>>(stage_costs(m, assign_layers(m, stage_count), *model, ctx));
    if (shared != nullptr) {
      const std::lock_guard lock(shared->mutex);
      shared->costs.emplace(ckey, costs);
    }
  }
  const std::vector<StageCost>& stages = *costs;

  const GpuSpec& gpu = s.cluster.gpu;
  const double peak = std::max(gpu.bf16_dense.per_s(), gpu.fp8_dense.per_s());
  const auto at_peak = [peak](Flops f) { return floor_time(f.value() / peak); };
  // One all-reduce-equivalent: 2 (n-1)/n x S at the raw NVLink rate per direction.
  const double s_bytes = static_cast<double>(par.micro_batch_size) * s.training.seq_len * m.hidden * 2.0 / par.cp;
  const double nvlink = gpu.nvlink_per_direction.bytes_per_s();
  const double all_reduce_s = par.tp > 1 && nvlink > 0 ? 2.0 * (par.tp - 1) / par.tp * s_bytes / nvlink : 0.0;

  std::vector<ChunkTime> chunk(stages.size());
  for (std::size_t k = 0; k < stages.size(); ++k) {
    const StageCost& st = stages[k];
    ChunkTime& c = chunk[k];
    c.forward = st.pre.forward + st.post.forward;
    c.backward_input = st.pre.backward_input + st.post.backward_input;
    c.backward_weight = st.pre.backward_weight + st.post.backward_weight;
    double tp_forward = 0, tp_backward = 0;
    for (const LayerCost& l : st.layers) {
      c.forward += l.attention.forward;
      c.backward_input += l.attention.backward_input;
      c.backward_weight += l.attention.backward_weight;
      if (l.moe) {
        c.forward += at_peak(l.mlp_flops.forward);
        c.backward_input += at_peak(l.mlp_flops.backward_input);
        c.backward_weight += at_peak(l.mlp_flops.backward_weight);
      } else {
        c.forward += l.mlp.forward;
        c.backward_input += l.mlp.backward_input;
        c.backward_weight += l.mlp.backward_weight;
      }
      for (const bool mlp : {false, true}) {
        const TpBlock b = tp_block(s, l, mlp);
        tp_forward += b.forward;
        tp_backward += b.backward;
      }
    }
    c.forward += floor_time(tp_forward * all_reduce_s);
    c.backward_input += floor_time(tp_backward * all_reduce_s);
  }

  const auto stage = [&](int rank, const Piece& piece) {
    return static_cast<std::size_t>(sched.route(piece.mb).position(rank, piece.chunk));
  };
  const InstrCost cost = [&](int rank, const Instr& in) {
    switch (in.op) {
      case PipeOp::kForward: return chunk[stage(rank, in.piece)].forward;
      case PipeOp::kBackward: {
        const ChunkTime& c = chunk[stage(rank, in.piece)];
        return c.backward_input + c.backward_weight;
      }
      case PipeOp::kBackwardInput: return chunk[stage(rank, in.piece)].backward_input;
      case PipeOp::kBackwardWeight: return chunk[stage(rank, in.piece)].backward_weight;
      case PipeOp::kForwardBackward: {
        const ChunkTime& b = chunk[stage(rank, in.other)];
        return chunk[stage(rank, in.piece)].forward + b.backward_input + b.backward_weight;
      }
      default: return Time::zero();  // sends and receives are free
    }
  };
  const auto timing = simulate_in_order(sched, cost);
  if (!timing) return Time::zero();
  return max(timing->step, zero2_dp_stream_bound(s, a, sched, stages));
}

}  // namespace deepsim

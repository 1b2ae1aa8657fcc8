#include "sim/step/static_analysis.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

#include "sim/core/error.h"
#include "sim/core/format.h"
#include "sim/model/kv_cache.h"
#include "sim/model/model_memo.h"
#include "sim/model/stage_assignment.h"
#include "sim/parallel/schedule_check.h"
#include "sim/parallel/schedules.h"

namespace deepsim {
namespace {

// Pipeline stage of each rank's chunks: the schedule's factors are per rank; a rank of DualPipe holds
// stages r and pp-1-r, so its memory is that of both. We report per stage the factor of its rank.
// The factors depend only on (schedule, pp, micro-batches, virtual stages); a plan search asks for the
// same few thousand times (every TP, EP, ZeRO and recompute choice), so they are memoised: building and
// checking the schedule was most of `deepsim plan`'s static checks (issue 17).
struct ScheduleFactors {
  std::string error;  // make_schedule's message when the plan cannot be scheduled
  std::vector<double> activation, parameter;
};

ScheduleFactors compute_factors(const ParallelSpec& p) {
  ScheduleFactors f;
  const auto schedule = make_schedule(p);
  if (!schedule.ok()) {
    f.error = schedule.error();
    return f;
  }
  const auto check = check_schedule(*schedule);
  if (!check.ok()) throw InternalError("generated schedule fails its check: " + check.error());
  f.activation = check->activation_factor;
  f.parameter = check->parameter_factor;
  return f;
}

std::shared_ptr<const ScheduleFactors> factors_of(const ParallelSpec& p) {
  using Key = std::tuple<int, int, int, int>;
  static std::mutex m;
  static std::map<Key, std::shared_ptr<const ScheduleFactors>> memo;
  constexpr std::size_t kMaxEntries = 4096;
  const Key key{static_cast<int>(p.schedule), p.pp, p.micro_batches,
                p.schedule == ScheduleKind::kInterleaved1F1B ? p.virtual_stages : 0};
  {
    const std::lock_guard lock(m);
    if (const auto it = memo.find(key); it != memo.end()) return it->second;
  }
  auto f = std::make_shared<const ScheduleFactors>(compute_factors(p));
  const std::lock_guard lock(m);
  if (memo.size() >= kMaxEntries) memo.clear();
  return memo.emplace(key, std::move(f)).first->second;
}

void schedule_factors(const Scenario& s, StaticAnalysis& a) {
  const auto f = factors_of(s.parallel);
  if (!f->error.empty()) throw InputError(s.pos_of("parallel.schedule"), "parallel.schedule", f->error);
  a.activation_factor = f->activation;
  a.parameter_factor = f->parameter;
}

Time stage_time_at_peak(const std::vector<Op>& ops, const GpuSpec& gpu, Flops& flops_out) {
  double seconds = 0;
  Flops total;
  for (const Op& op : ops) {
    const Flops f = op.total_flops();
    total += f;
    const double peak = (op.fp8 ? gpu.fp8_dense : gpu.bf16_dense).per_s();
    seconds += f.value() / peak;
  }
  flops_out = total;
  return Time::from_seconds(seconds);
}

// Per stage at the dense peaks; memoised per (model, stages, micro-batch shape, peaks) like the
// schedule factors (a plan search's other choices do not change them).
std::vector<StageBound> stage_bounds(const ModelSpec& m, int stages, const OpContext& ctx, const GpuSpec& gpu) {
  using Key = std::tuple<int, std::int64_t, int, int, int, bool, int, bool, int, int, double, double>;
  static ModelMemo<Key, std::vector<StageBound>> memo;
  const Key key{stages, ctx.tokens, ctx.seq_len, ctx.tp, static_cast<int>(ctx.precision), ctx.causal,
                static_cast<int>(ctx.recompute), ctx.sequence_parallel, ctx.cp, ctx.expert_tp,
                gpu.fp8_dense.per_s(), gpu.bf16_dense.per_s()};
  return *memo.get(m, key, [&] {
    std::vector<StageBound> out;
    for (const StageLayers& st : assign_layers(m, stages)) {
      StageBound b;
      b.stage = st.stage;
      b.layers = st.num_layers;
      b.compute_per_micro_batch = stage_time_at_peak(stage_ops(m, st, ctx), gpu, b.flops_per_micro_batch);
      out.push_back(b);
    }
    return out;
  });
}

}  // namespace

std::string hbm_warning(const MemoryEstimate& m) {
  if (m.stages.empty() || m.fits()) return {};
  const StageMemory& peak = m.peak();
  return "WARNING: does not fit in HBM: the fullest rank (stage " + std::to_string(peak.stage) + ") needs " +
         format_bytes(peak.total()) + " of " + format_bytes(m.hbm) + " (over by " +
         format_bytes(Bytes(peak.total().value() - m.hbm.value())) +
         "); a step time and cost for it are what it would take if it fit, no cluster can run it";
}

StaticAnalysis analyze(const Scenario& s) {
  StaticAnalysis a;
  const ModelSpec& m = s.model;
  a.params = count_params(m);
  a.flops_causal = flops_per_token(m, s.training.seq_len, true);
  a.flops_non_causal = flops_per_token(m, s.training.seq_len, false);
  a.kv_cache_per_token = kv_cache_bytes_per_token(m);
  schedule_factors(s, a);

  const ParallelSpec& p = s.parallel;
  MemoryPlan plan;
  plan.pp = p.pp;
  plan.dp = p.dp;
  plan.tp = p.tp;
  plan.ep = p.ep;
  plan.zero_stage = p.zero_stage;
  plan.micro_batch_size = p.micro_batch_size;
  plan.seq_len = s.training.seq_len;
  plan.in_flight_micro_batches = *std::max_element(a.activation_factor.begin(), a.activation_factor.end());
  plan.param_copies = static_cast<int>(*std::max_element(a.parameter_factor.begin(), a.parameter_factor.end()));
  plan.fp8 = s.training.precision == "fp8";
  plan.recompute = s.training.recompute;
  plan.sequence_parallel = p.sequence_parallel && p.tp > 1;
  plan.cp = p.cp;
  plan.expert_tp = p.expert_tp;
  a.memory = estimate_memory(m, plan, s.cluster.gpu.hbm);

  a.tokens_per_step = static_cast<double>(s.training.global_batch) * s.training.seq_len;
  OpContext ctx;
  ctx.tokens = static_cast<std::int64_t>(p.micro_batch_size) * s.training.seq_len / p.cp;
  ctx.seq_len = s.training.seq_len;
  ctx.tp = p.tp;
  ctx.cp = p.cp;
  ctx.precision = plan.fp8 ? Precision::kFp8 : Precision::kBf16;
  ctx.recompute = plan.recompute;
  ctx.sequence_parallel = plan.sequence_parallel;
  ctx.expert_tp = p.expert_tp;
  int stages = p.pp;
  if (p.schedule == ScheduleKind::kDualPipeV) stages = 2 * p.pp;
  if (p.schedule == ScheduleKind::kInterleaved1F1B) stages = p.pp * p.virtual_stages;
  a.stages = stage_bounds(m, stages, ctx, s.cluster.gpu);
  Time sum_stage_time;
  std::vector<Time> t;
  for (const StageBound& b : a.stages) {
    sum_stage_time += b.compute_per_micro_batch;
    t.push_back(b.compute_per_micro_batch);
  }
  // (a) a pipeline's stage work for every micro-batch spread perfectly over its pp ranks.
  a.bound_throughput = sum_stage_time * p.micro_batches / p.pp;
  // (b) the busiest rank runs its chunks of every micro-batch back to back. DualPipe: rank r holds
  // stages r and pp-1-r, each for half of the micro-batches; DualPipeV: stages r and 2pp-1-r, each for
  // every micro-batch; interleaved: stages r, r+pp, ...; others: stage r.
  Time busiest;
  for (int r = 0; r < p.pp; ++r) {
    const auto u = static_cast<std::size_t>(r);
    Time rank;
    if (p.schedule == ScheduleKind::kDualPipe) {
      rank = (t[u] + t[static_cast<std::size_t>(p.pp - 1 - r)]) * p.micro_batches / 2;
    } else if (p.schedule == ScheduleKind::kDualPipeV) {
      rank = (t[u] + t[static_cast<std::size_t>(2 * p.pp - 1 - r)]) * p.micro_batches;
    } else {
      for (int c = r; c < stages; c += p.pp) rank += t[static_cast<std::size_t>(c)] * p.micro_batches;
    }
    busiest = max(busiest, rank);
  }
  a.bound_busiest_stage = busiest;
  return a;
}

}  // namespace deepsim

#include "sim/step/static_analysis.h"

#include <algorithm>

#include "sim/core/error.h"
#include "sim/model/kv_cache.h"
#include "sim/model/stage_assignment.h"
#include "sim/parallel/schedule_check.h"
#include "sim/parallel/schedules.h"

namespace deepsim {
namespace {

// Pipeline stage of each rank's chunks: the schedule's factors are per rank; a rank of DualPipe holds
// stages r and pp-1-r, so its memory is that of both. We report per stage the factor of its rank.
void schedule_factors(const Scenario& s, StaticAnalysis& a) {
  const auto schedule = make_schedule(s.parallel);
  if (!schedule.ok()) throw InputError(s.pos_of("parallel.schedule"), "parallel.schedule", schedule.error());
  const auto check = check_schedule(*schedule);
  if (!check.ok()) throw InternalError("generated schedule fails its check: " + check.error());
  a.activation_factor = check->activation_factor;
  a.parameter_factor = check->parameter_factor;
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

}  // namespace

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
  a.memory = estimate_memory(m, plan, s.cluster.gpu.hbm);

  a.tokens_per_step = static_cast<double>(s.training.global_batch) * s.training.seq_len;
  OpContext ctx;
  ctx.tokens = static_cast<std::int64_t>(p.micro_batch_size) * s.training.seq_len;
  ctx.seq_len = s.training.seq_len;
  ctx.tp = p.tp;
  ctx.precision = plan.fp8 ? Precision::kFp8 : Precision::kBf16;
  ctx.recompute = plan.recompute;
  int stages = p.pp;
  if (p.schedule == ScheduleKind::kDualPipeV) stages = 2 * p.pp;
  if (p.schedule == ScheduleKind::kInterleaved1F1B) stages = p.pp * p.virtual_stages;
  Time sum_stage_time;
  std::vector<Time> t;
  for (const StageLayers& st : assign_layers(m, stages)) {
    StageBound b;
    b.stage = st.stage;
    b.layers = st.num_layers;
    b.compute_per_micro_batch = stage_time_at_peak(stage_ops(m, st, ctx), s.cluster.gpu, b.flops_per_micro_batch);
    sum_stage_time += b.compute_per_micro_batch;
    t.push_back(b.compute_per_micro_batch);
    a.stages.push_back(b);
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

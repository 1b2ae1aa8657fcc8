#include "sim/forecast/forecast.h"

#include <algorithm>

#include "sim/core/format.h"
#include "sim/forecast/batch_ramp.h"
#include "sim/forecast/phase_setup.h"
#include "sim/model/flops_per_token.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/scalar_codec.h"
#include "sim/step/step_key.h"

namespace deepsim {
namespace {

// Simulates each distinct step once; its identity is the StepKey of the resolved step scenario (a run
// holds a handful of distinct steps, so a linear search is the fastest lookup).
class StepCache {
 public:
  StepCache(const StepFn& fn, std::vector<SimulatedStep>& steps) : fn_(fn), steps_(steps) {}

  std::size_t get(const StepScenario& sc, const std::string& phase) {
    StepKey key(sc.scenario);
    for (const auto& [k, index] : index_)
      if (k == key) return index;
    const Scenario& s = sc.scenario;
    SimulatedStep st;
    st.phase = phase;
    st.simulated_sequences = static_cast<double>(s.training.global_batch);
    st.seq_len = s.training.seq_len;
    st.micro_batches = s.parallel.micro_batches;
    st.gpus = s.cluster.total_gpus();
    st.result = fn_(s);
    steps_.push_back(std::move(st));
    index_.emplace_back(std::move(key), steps_.size() - 1);
    return steps_.size() - 1;
  }

 private:
  const StepFn& fn_;
  std::vector<SimulatedStep>& steps_;
  std::vector<std::pair<StepKey, std::size_t>> index_;
};

// Sums behind a Throughput: FLOPs, and GPU-seconds weighted by each GPU's peaks.
struct FlopTally {
  double causal = 0, non_causal = 0, tokens = 0, wall_s = 0, gpu_s = 0, bf16_peak_gpu_s = 0, fp8_peak_gpu_s = 0;
  void add(const FlopTally& o) {
    causal += o.causal;
    non_causal += o.non_causal;
    tokens += o.tokens;
    wall_s += o.wall_s;
    gpu_s += o.gpu_s;
    bf16_peak_gpu_s += o.bf16_peak_gpu_s;
    fp8_peak_gpu_s += o.fp8_peak_gpu_s;
  }
  [[nodiscard]] Throughput throughput() const {
    Throughput t;
    t.model_flops_causal = causal;
    t.model_flops_non_causal = non_causal;
    const auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    t.tokens_per_s = ratio(tokens, wall_s);
    t.tflops_per_gpu_causal = ratio(causal, gpu_s) / 1e12;
    t.tflops_per_gpu_non_causal = ratio(non_causal, gpu_s) / 1e12;
    t.mfu_bf16_causal = ratio(causal, bf16_peak_gpu_s);
    t.mfu_bf16_non_causal = ratio(non_causal, bf16_peak_gpu_s);
    t.mfu_fp8_causal = ratio(causal, fp8_peak_gpu_s);
    t.mfu_fp8_non_causal = ratio(non_causal, fp8_peak_gpu_s);
    return t;
  }
};

void add_failures(PhaseForecast& ph, const FailureSpec& f) {
  FailureInputs in;
  in.gpus = ph.gpus;
  in.nodes = ph.nodes;
  in.gpu_mtbf_h = f.gpu_mtbf_hours;
  in.node_mtbf_h = f.node_mtbf_hours;
  in.interval_h = f.checkpoint_interval_min / 60.0;
  in.write_h = f.checkpoint_write_s / 3600.0;
  in.restart_h = f.restart_min / 60.0;
  const double compute_h = ph.compute_s / 3600.0;
  ph.checkpoint_interval_h = in.interval_h;
  ph.failures = failure_outcome(in, compute_h);
  ph.wall_s = ph.failures.wall_h * 3600.0;
  ph.gpu_hours = ph.failures.wall_h * ph.gpus;
  if (ph.failures.system_mtbf_h <= 0) return;  // nothing fails: no optimum to speak of
  ph.young_interval_h = young_interval_h(in.write_h, ph.failures.system_mtbf_h);
  ph.daly_interval_h = daly_interval_h(in.write_h, ph.failures.system_mtbf_h);
  // Goodput at the optimal intervals, where the model can run at them (tau > 0).
  const auto goodput_at = [&](double tau) {
    if (tau <= 0) return 0.0;
    FailureInputs at = in;
    at.interval_h = tau;
    return at.restart_h + 0.5 * (tau + at.write_h) < ph.failures.system_mtbf_h ? failure_outcome(at, compute_h).goodput
                                                                               : 0.0;
  };
  ph.goodput_at_young = goodput_at(ph.young_interval_h);
  ph.goodput_at_daly = goodput_at(ph.daly_interval_h);
}

void add_note(std::vector<std::string>& notes, const std::string& note) {
  if (!note.empty() && std::ranges::find(notes, note) == notes.end()) notes.push_back(note);
}

PhaseForecast forecast_phase(const Scenario& s, const PhaseDef& def, StepCache& cache, std::vector<SimulatedStep>& steps,
                             std::vector<std::string>& notes, FlopTally& tally) {
  PhaseForecast ph;
  ph.key = def.key;
  ph.title = def.title;
  ph.plan = def.plan;
  for (const BatchBlock& b : phase_batches(s, def)) {
    StepScenario sc = step_scenario(s, def.plan, b.batch_sequences, def.seq_len, def.key);
    add_note(notes, sc.note);
    if (b.level >= 0 && sc.scenario.simulation.fidelity == "full") {
      // A ramp level is a few percent of the run's steps: one representative pipeline instead of every
      // DP replica (the same step time on the shipped scenarios, docs/performance.md), so a full-fidelity
      // run builds one big graph, not one per level.
      sc.scenario.simulation.fidelity = "representative";
      add_note(notes, "batch ramp levels simulated at representative fidelity (one pipeline); the full batch at full fidelity");
    }
    StepBlock blk;
    blk.level = b.level;
    blk.batch_sequences = b.batch_sequences;
    blk.seq_len = def.seq_len;
    blk.steps = b.steps;
    blk.tokens = b.tokens;
    blk.step = cache.get(sc, def.key);
    blk.step_time = steps[blk.step].result.step;
    blk.compute_s = static_cast<double>(blk.steps) * blk.step_time.seconds();
    const ClusterSpec& c = sc.scenario.cluster;
    blk.gpu_hours = blk.compute_s * c.total_gpus() / 3600.0;
    ph.cluster = c;
    ph.gpus = c.total_gpus();
    ph.nodes = c.nodes;
    ph.steps += blk.steps;
    ph.tokens += blk.tokens;
    ph.compute_s += blk.compute_s;
    ph.compute_gpu_hours += blk.gpu_hours;
    tally.causal += blk.tokens * flops_per_token(sc.scenario.model, blk.seq_len, true).training_with_mtp().value();
    tally.non_causal +=
        blk.tokens * flops_per_token(sc.scenario.model, blk.seq_len, false).training_with_mtp().value();
    const double gpu_s = blk.compute_s * c.total_gpus();
    tally.gpu_s += gpu_s;
    tally.bf16_peak_gpu_s += gpu_s * c.gpu.bf16_dense.per_s();
    tally.fp8_peak_gpu_s += gpu_s * c.gpu.fp8_dense.per_s();
    ph.blocks.push_back(blk);
  }
  add_failures(ph, s.failures);
  tally.tokens = ph.tokens;
  tally.wall_s = ph.wall_s;
  ph.throughput = tally.throughput();
  return ph;
}

std::string ramp_note(const Scenario& s, const Forecast& f) {
  const TrainingSpec& t = s.training;
  return "batch ramp " + shortest(t.ramp.start_sequences) + " -> " + std::to_string(t.global_batch) +
         " sequences, linear in tokens over the first " + count_text(t.ramp.ramp_tokens) + " tokens, cut into " +
         std::to_string(f.ramp_levels) + " equal token intervals at their midpoint batch: " +
         std::to_string(f.ramp_steps) + " steps (the continuous ramp takes " + fixed(f.ramp_steps_continuous, 1) +
         ")";
}

}  // namespace

Forecast forecast_run(const Scenario& s, const StepFn& step) {
  Forecast f;
  StepCache cache(step, f.steps);
  FlopTally total;
  for (const PhaseDef& def : run_phases(s)) {
    FlopTally tally;
    try {
      f.phases.push_back(forecast_phase(s, def, cache, f.steps, f.notes, tally));
    } catch (const InputError& e) {
      if (e.key() != "failures") throw;
      throw InputError(s.pos_of("failures"), "failures", def.title + ": " + e.message(), e.hint());
    }
    total.add(tally);
    const PhaseForecast& ph = f.phases.back();
    f.total_steps += ph.steps;
    f.tokens += ph.tokens;
    f.compute_gpu_hours += ph.compute_gpu_hours;
    f.gpu_hours += ph.gpu_hours;
    f.wall_s += ph.wall_s;
  }
  f.throughput = total.throughput();
  if (s.training.ramp.start_sequences > 0 && s.training.ramp.ramp_tokens > 0) {
    f.ramp_levels = s.forecast.ramp_levels;
    for (const auto& b : f.phases.front().blocks)
      if (b.level >= 0) f.ramp_steps += b.steps;
    f.ramp_steps_continuous = continuous_ramp_steps(s.training.ramp.start_sequences, s.training.global_batch,
                                                    s.training.ramp.ramp_tokens, s.training.seq_len);
    f.notes.push_back(ramp_note(s, f));  // first: rotated to the front (insert at begin trips GCC 12's -Wnull-dereference)
    std::rotate(f.notes.begin(), f.notes.end() - 1, f.notes.end());
  }
  f.notes.push_back(
      "failures: Poisson at N_gpu/MTBF_gpu + N_node/MTBF_node; each costs the restart plus half a checkpoint "
      "period; checkpoint writes stall training (docs/forecast.md)");
  return f;
}

}  // namespace deepsim

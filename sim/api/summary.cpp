#include "sim/api/summary.h"

#include <algorithm>

namespace deepsim::api {
namespace {

Headline headline_of(const RunOutput& r) {
  const Forecast& f = r.report.forecast;
  const RunCost& c = r.report.cost;
  const StepResult& st = r.step.result;
  Headline h;
  h.scenario = r.scenario.name;
  h.gpus = r.scenario.cluster.total_gpus();
  h.gpu = r.scenario.cluster.gpu.name;
  h.gpu_hours = f.gpu_hours;
  h.compute_gpu_hours = f.compute_gpu_hours;
  h.days = f.days();
  h.rental_usd = c.rental_usd;
  h.ownership_usd = c.ownership.total_usd();
  h.cost_basis = c.basis;
  h.usd_per_million_tokens = c.usd_per_million_tokens;
  h.mfu_bf16_causal = f.throughput.mfu_bf16_causal;
  h.mfu_fp8_causal = f.throughput.mfu_fp8_causal;
  h.tokens_per_s = f.throughput.tokens_per_s;
  h.tflops_per_gpu_causal = f.throughput.tflops_per_gpu_causal;
  h.step_s = st.step.seconds();
  h.bubble_s = st.bubble.seconds();
  h.exposed_comm_s = st.exposed_comm.seconds();
  h.compute_busy_s = st.compute_busy.seconds();
  h.step_lower_bound_s = r.analysis.step_lower_bound().seconds();
  h.memory_fits = r.analysis.memory.stages.empty() || r.analysis.memory.fits();
  return h;
}

std::vector<StageMemoryRow> memory_of(const RunOutput& r) {
  std::vector<StageMemoryRow> rows;
  const MemoryEstimate& m = r.analysis.memory;
  for (std::size_t i = 0; i < m.stages.size(); ++i) {
    const StageMemory& st = m.stages[i];
    StageMemoryRow row;
    row.stage = st.stage;
    row.layers = i < r.analysis.stages.size() ? r.analysis.stages[i].layers : 0;
    row.weights_gb = st.weights.gb();
    row.master_weights_gb = st.master_weights.gb();
    row.gradients_gb = st.gradients.gb();
    row.optimizer_gb = st.optimizer_states.gb();
    row.activations_gb = st.activations.gb();
    row.total_gb = st.total().gb();
    row.hbm_gb = m.hbm.gb();
    rows.push_back(row);
  }
  return rows;
}

std::vector<PhaseRow> phases_of(const RunOutput& r) {
  std::vector<PhaseRow> rows;
  const Forecast& f = r.report.forecast;
  for (std::size_t i = 0; i < f.phases.size(); ++i) {
    const PhaseForecast& p = f.phases[i];
    PhaseRow row;
    row.key = p.key;
    row.title = p.title;
    row.gpus = p.gpus;
    row.steps = static_cast<double>(p.steps);
    row.tokens = p.tokens;
    row.days = p.wall_s / 86400.0;
    row.gpu_hours = p.gpu_hours;
    row.compute_gpu_hours = p.compute_gpu_hours;
    if (i < r.report.cost.phases.size()) {
      const PhaseCost& c = r.report.cost.phases[i];
      row.rental_usd = c.rental_usd;
      row.ownership_usd = c.ownership.total_usd();
      row.usd = c.usd;
    }
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

RunSummary summarize(const RunOutput& r) {
  RunSummary s;
  s.headline = headline_of(r);
  s.memory = memory_of(r);
  s.phases = phases_of(r);
  for (const LinkClassUse& l : r.step.result.links)
    s.links.push_back({to_string(l.cls), l.links, l.bytes, l.mean_utilisation, l.max_utilisation});
  for (const RankResult& rr : r.step.result.ranks)
    s.ranks.push_back({rr.rank, rr.gpu, rr.busy.seconds(), rr.exposed_comm.seconds(), rr.bubble.seconds(),
                       rr.peak_memory.gb()});
  s.reference = reference_rows(r.report);
  s.notes = r.step.result.notes;
  s.notes.insert(s.notes.end(), r.report.forecast.notes.begin(), r.report.forecast.notes.end());
  return s;
}

}  // namespace deepsim::api

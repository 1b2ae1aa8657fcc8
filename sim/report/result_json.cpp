#include "sim/report/result_json.h"

#include "sim/hw/catalog.h"
#include "sim/report/reference_rows.h"
#include "sim/report/source_path.h"
#include "sim/scenario/loader.h"

namespace deepsim {
namespace {

using Json = nlohmann::ordered_json;

Json model_json(const RunReport& r) {
  Json j;
  j["name"] = r.scenario.model.name;
  j["params_total"] = r.params.total();
  j["params_total_with_mtp"] = r.params.total_with_mtp();
  j["params_active"] = r.params.activated;
  j["params_active_with_mtp"] = r.params.activated_with_mtp();
  j["seq_len"] = r.scenario.training.seq_len;
  j["flops_per_token_causal"] = r.flops_causal.training_with_mtp().value();
  j["flops_per_token_non_causal"] = r.flops_non_causal.training_with_mtp().value();
  return j;
}

Json cluster_json(const Scenario& s) {
  const ParallelSpec& p = s.parallel;
  return Json{{"gpu", s.cluster.gpu.name},
              {"gpu_description", describe_gpu(s.cluster.gpu)},
              {"gpus", s.cluster.total_gpus()},
              {"nodes", s.cluster.nodes},
              {"topology", to_string(s.cluster.topology.kind)},
              {"pp", p.pp},
              {"dp", p.dp},
              {"tp", p.tp},
              {"cp", p.cp},
              {"ep", p.ep},
              {"schedule", to_string(p.schedule)},
              {"micro_batches", p.micro_batches},
              {"micro_batch_size", p.micro_batch_size}};
}

Json step_json(const StepResult& st) {
  Json j;
  j["time_s"] = st.step.seconds();
  j["bubble_s"] = st.bubble.seconds();
  j["exposed_comm_s"] = st.exposed_comm.seconds();
  j["exposed_dp_s"] = st.exposed_dp.seconds();
  j["compute_busy_s"] = st.compute_busy.seconds();
  for (std::size_t p = 0; p < kStepPhaseCount; ++p)
    j["phase_time_s"][to_string(static_cast<StepPhase>(p))] = st.phase_time[p].seconds();
  j["ranks"] = Json::array();
  for (const RankResult& rr : st.ranks) {
    Json rj{{"rank", rr.rank},         {"gpu", rr.gpu},
            {"busy_s", rr.busy.seconds()}, {"idle_s", rr.idle.seconds()},
            {"exposed_comm_s", rr.exposed_comm.seconds()}, {"exposed_dp_s", rr.exposed_dp.seconds()},
            {"bubble_s", rr.bubble.seconds()},
            {"peak_memory_bytes", rr.peak_memory.value()}, {"activation_peak_bytes", rr.activation_peak.value()}};
    for (std::size_t c = 0; c < kStepCategoryCount; ++c)
      rj["by_category_s"][to_string(static_cast<StepCategory>(c))] = rr.by_category[c].seconds();
    for (std::size_t w = 0; w < kWallPartCount; ++w)
      rj["wall_breakdown_s"][to_string(static_cast<WallPart>(w))] = rr.wall[w].seconds();
    j["ranks"].push_back(std::move(rj));
  }
  j["links"] = Json::array();
  for (const LinkClassUse& l : st.links)
    j["links"].push_back({{"class", to_string(l.cls)}, {"links", l.links}, {"bytes", l.bytes},
                          {"mean_utilisation", l.mean_utilisation}, {"max_utilisation", l.max_utilisation}});
  j["tasks"] = st.tasks;
  j["events"] = st.events;
  return j;
}

// Whether the plan fits in HBM, rank by rank: the peak of each pipeline rank (weights, master weights,
// gradients, optimizer states, activations of the schedule's in-flight micro-batches) against the GPU's
// capacity. A plan that does not fit still gets a step time and a cost (what it would take if it fit), so
// every consumer (batch ranking, scripts) must read `fits`.
Json memory_json(const RunReport& r) {
  const double hbm = r.scenario.cluster.gpu.hbm.value();
  const MemoryFit fit = memory_fit(r);
  Json j{{"hbm_bytes", hbm}, {"fits", fit.fits}, {"peak_bytes", fit.peak_bytes},
         {"min_headroom_bytes", fit.min_headroom_bytes}, {"ranks", Json::array()}};
  for (const RankResult& rr : r.step.ranks)
    j["ranks"].push_back({{"rank", rr.rank}, {"peak_bytes", rr.peak_memory.value()},
                          {"headroom_bytes", hbm - rr.peak_memory.value()}, {"fits", rr.peak_memory.value() <= hbm}});
  return j;
}

Json throughput_json(const Throughput& t) {
  return Json{{"model_flops_causal", t.model_flops_causal},
              {"model_flops_non_causal", t.model_flops_non_causal},
              {"tokens_per_s", t.tokens_per_s},
              {"tflops_per_gpu_causal", t.tflops_per_gpu_causal},
              {"tflops_per_gpu_non_causal", t.tflops_per_gpu_non_causal},
              {"mfu_bf16_causal", t.mfu_bf16_causal},
              {"mfu_bf16_non_causal", t.mfu_bf16_non_causal},
              {"mfu_fp8_causal", t.mfu_fp8_causal},
              {"mfu_fp8_non_causal", t.mfu_fp8_non_causal}};
}

Json failures_json(const PhaseForecast& ph) {
  const FailureOutcome& f = ph.failures;
  return Json{{"rate_per_h", f.rate_per_h},
              {"system_mtbf_h", f.system_mtbf_h},
              {"checkpoint_interval_h", ph.checkpoint_interval_h},
              {"young_interval_h", ph.young_interval_h},
              {"daly_interval_h", ph.daly_interval_h},
              {"loss_per_failure_h", f.loss_per_failure_h},
              {"expected_failures", f.failures},
              {"checkpoint_h", f.checkpoint_h},
              {"lost_h", f.lost_h},
              {"goodput", f.goodput},
              {"goodput_at_young", ph.goodput_at_young},
              {"goodput_at_daly", ph.goodput_at_daly}};
}

Json ownership_json(const OwnershipLines& o) {
  return Json{{"gpus_usd", o.gpus_usd},     {"servers_usd", o.servers_usd},   {"nics_usd", o.nics_usd},
              {"switches_usd", o.switches_usd}, {"transceivers_usd", o.transceivers_usd},
              {"cables_usd", o.cables_usd}, {"power_usd", o.power_usd},     {"total_usd", o.total_usd()}};
}

Json phase_json(const PhaseForecast& ph, const PhaseCost& c) {
  Json j{{"key", ph.key},         {"title", ph.title},   {"plan", ph.plan},
         {"gpu", ph.cluster.gpu.name}, {"gpus", ph.gpus}, {"nodes", ph.nodes},
         {"steps", ph.steps},     {"tokens", ph.tokens}, {"compute_s", ph.compute_s},
         {"compute_gpu_hours", ph.compute_gpu_hours},    {"wall_s", ph.wall_s},
         {"days", ph.wall_s / 86400.0}, {"gpu_hours", ph.gpu_hours}};
  j["throughput"] = throughput_json(ph.throughput);
  j["failures"] = failures_json(ph);
  j["cost"] = {{"rental_usd", c.rental_usd}, {"ownership", ownership_json(c.ownership)}, {"usd", c.usd},
               {"usd_per_million_tokens", c.usd_per_million_tokens}};
  j["blocks"] = Json::array();
  for (const StepBlock& b : ph.blocks)
    j["blocks"].push_back({{"level", b.level}, {"batch_sequences", b.batch_sequences}, {"seq_len", b.seq_len},
                           {"steps", b.steps}, {"tokens", b.tokens}, {"simulated_step", b.step},
                           {"step_time_s", b.step_time.seconds()}, {"gpu_hours", b.gpu_hours}});
  return j;
}

Json run_json(const RunReport& r) {
  const Forecast& f = r.forecast;
  Json j{{"steps", f.total_steps},
         {"tokens", f.tokens},
         {"compute_gpu_hours", f.compute_gpu_hours},
         {"gpu_hours", f.gpu_hours},
         {"wall_s", f.wall_s},
         {"days", f.days()},
         {"cost_usd", r.cost.usd},
         {"cost_basis", r.cost.basis},
         {"rental_usd", r.cost.rental_usd},
         {"ownership_usd", r.cost.ownership.total_usd()},
         {"usd_per_million_tokens", r.cost.usd_per_million_tokens}};
  j["throughput"] = throughput_json(f.throughput);
  j["ramp"] = {{"levels", f.ramp_levels}, {"steps", f.ramp_steps}, {"steps_continuous", f.ramp_steps_continuous}};
  return j;
}

}  // namespace

nlohmann::ordered_json result_json(const RunReport& r) {
  Json j;
  j["result_schema"] = kResultSchema;
  j["deepsim_version"] = r.deepsim_version;
  j["scenario"] = {{"name", r.scenario.name}, {"source_file", report_source_path(r.scenario.source_file)}, {"input_hash", r.input_hash}};
  j["model"] = model_json(r);
  j["cluster"] = cluster_json(r.scenario);
  j["memory"] = memory_json(r);
  j["step"] = step_json(r.step);
  j["run"] = run_json(r);
  if (const std::vector<ReferenceRow> ref = reference_rows(r); !ref.empty()) {
    // Only with a `reference:` section, so results without one keep their bytes.
    Json rj;
    rj["kind"] = r.scenario.reference.kind;
    for (const ReferenceRow& row : ref)
      rj[row.key] = {{"reference", row.reference}, {"predicted", row.predicted}, {"error_pct", row.error_pct()},
                     {"source", row.source}};
    j["reference"] = std::move(rj);
  }
  j["phases"] = Json::array();
  for (std::size_t i = 0; i < r.forecast.phases.size(); ++i)
    j["phases"].push_back(phase_json(r.forecast.phases[i], r.cost.phases.at(i)));
  j["simulated_steps"] = Json::array();
  for (const SimulatedStep& st : r.forecast.steps)
    j["simulated_steps"].push_back({{"phase", st.phase}, {"sequences", st.simulated_sequences},
                                    {"seq_len", st.seq_len}, {"micro_batches", st.micro_batches}, {"gpus", st.gpus},
                                    {"time_s", st.result.step.seconds()}, {"bubble_s", st.result.bubble.seconds()},
                                    {"exposed_comm_s", st.result.exposed_comm.seconds()}});
  j["cost"] = {{"basis", r.cost.basis},
               {"usd_per_gpu_hour", r.cost.usd_per_gpu_hour},
               {"rental_usd", r.cost.rental_usd},
               {"ownership", ownership_json(r.cost.ownership)},
               {"purchase", ownership_json(r.cost.purchase)},
               {"power_kw", r.cost.power_kw}};
  Json sources = Json::array();
  for (const FamilySource& f : r.step.kernel_sources)
    sources.push_back({{"family", f.family}, {"from_profile", f.from_profile}, {"source", f.source}, {"ops", f.ops}});
  j["assumptions"] = {{"kernel_model", r.step.kernel_model}, {"kernel_sources", std::move(sources)},
                      {"fidelity", r.step.fidelity},
                      {"calibration_profile", r.scenario.calibration.profile},
                      {"step_notes", r.step.notes},      {"forecast_notes", r.forecast.notes},
                      {"scenario_yaml", to_yaml(r.scenario)}};
  return j;
}

}  // namespace deepsim

#include "sim/report/report_tables.h"

#include <iterator>

#include "sim/core/format.h"
#include "sim/hw/catalog.h"
#include "sim/report/reference_rows.h"

namespace deepsim {
namespace {

std::string usd(double v) { return "$" + format_count(v); }
std::string pct(double v) { return fixed(100.0 * v, 1) + "%"; }
std::string hours(double h) { return format_count(h); }

}  // namespace

Table headline_table(const RunReport& r) {
  const Forecast& f = r.forecast;
  const Throughput& t = f.throughput;
  Table tb{"Run forecast", {"quantity", "value"}, {}};
  const auto add = [&](std::string k, std::string v) { tb.rows.push_back({std::move(k), std::move(v)}); };
  add("GPUs", std::to_string(r.scenario.cluster.total_gpus()) + " x " + r.scenario.cluster.gpu.name);
  add("GPU", describe_gpu(r.scenario.cluster.gpu));
  add("tokens", format_count(f.tokens));
  add("steps", std::to_string(f.total_steps));
  add("GPU-hours (failures and checkpoints included)", hours(f.gpu_hours));
  add("GPU-hours (failure-free: sum of step time x GPUs)", hours(f.compute_gpu_hours));
  add("wall-clock", fixed(f.days(), 2) + " days");
  add("cost (" + r.cost.basis + ")", usd(r.cost.usd));
  add("cost per million tokens", "$" + fixed(r.cost.usd_per_million_tokens, 4));
  add("rental / ownership", usd(r.cost.rental_usd) + " / " + usd(r.cost.ownership.total_usd()));
  add("tokens per second (wall)", format_count(t.tokens_per_s));
  add("TFLOPS per GPU, causal / non-causal", fixed(t.tflops_per_gpu_causal, 1) + " / " + fixed(t.tflops_per_gpu_non_causal, 1));
  add("MFU vs BF16 dense, causal / non-causal", pct(t.mfu_bf16_causal) + " / " + pct(t.mfu_bf16_non_causal));
  add("MFU vs FP8 dense, causal / non-causal", pct(t.mfu_fp8_causal) + " / " + pct(t.mfu_fp8_non_causal));
  add("configured step", format_time(r.step.step) + " (bubble " + format_time(r.step.bubble) + ", exposed comm " +
                             format_time(r.step.exposed_comm) + ", of it DP sync " + format_time(r.step.exposed_dp) + ")");
  add("parameters total / active", format_count(static_cast<double>(r.params.total())) + " / " +
                                       format_count(static_cast<double>(r.params.activated)));
  return tb;
}

Table reference_table(const RunReport& r) {
  Table tb{"Prediction against the " + r.scenario.reference.kind + " reference",
           {"quantity", "predicted", "reference", "error", "source"}, {}};
  for (const ReferenceRow& row : reference_rows(r))
    tb.rows.push_back({row.quantity, value_text(row, row.predicted), value_text(row, row.reference), error_text(row),
                       row.source});
  return tb;
}

Table phases_table(const RunReport& r) {
  Table tb{"Phases",
           {"phase", "GPUs", "steps", "tokens", "compute GPU-h", "GPU-h", "days", "goodput", "TFLOPS/GPU (causal)",
            "MFU BF16 (causal)", "cost"},
           {}};
  for (std::size_t i = 0; i < r.forecast.phases.size(); ++i) {
    const PhaseForecast& p = r.forecast.phases[i];
    tb.rows.push_back({p.title, std::to_string(p.gpus), std::to_string(p.steps), format_count(p.tokens),
                       hours(p.compute_gpu_hours), hours(p.gpu_hours), fixed(p.wall_s / 86400.0, 2),
                       pct(p.failures.goodput), fixed(p.throughput.tflops_per_gpu_causal, 1),
                       pct(p.throughput.mfu_bf16_causal), usd(r.cost.phases.at(i).usd)});
  }
  return tb;
}

Table steps_table(const RunReport& r) {
  Table tb{"Representative steps (each simulated once)",
           {"#", "phase", "sequences", "seq_len", "micro-batches", "GPUs", "step", "bubble", "exposed comm",
            "of it DP sync"},
           {}};
  for (std::size_t i = 0; i < r.forecast.steps.size(); ++i) {
    const SimulatedStep& s = r.forecast.steps[i];
    tb.rows.push_back({std::to_string(i), s.phase, fixed(s.simulated_sequences, 0), std::to_string(s.seq_len),
                       std::to_string(s.micro_batches), std::to_string(s.gpus), format_time(s.result.step),
                       format_time(s.result.bubble), format_time(s.result.exposed_comm),
                       format_time(s.result.exposed_dp)});
  }
  return tb;
}

Table ranks_table(const RunReport& r) {
  Table tb{"Configured step by pipeline rank",
           {"rank", "gpu", "busy", "exposed comm", "of it DP sync", "bubble", "peak memory"},
           {}};
  for (const RankResult& rr : r.step.ranks)
    tb.rows.push_back({std::to_string(rr.rank), std::to_string(rr.gpu), format_time(rr.busy),
                       format_time(rr.exposed_comm), format_time(rr.exposed_dp), format_time(rr.bubble),
                       format_bytes(rr.peak_memory)});
  return tb;
}

Table wall_breakdown_table(const RunReport& r) {
  Table tb{"Configured step by pipeline rank, as DeepSeek breaks its own down (wall clock)",
           {"rank", "forward", "backward", "weight", "overlapped F&B", "optimizer + DP sync", "bubble", "step"},
           {}};
  for (const RankResult& rr : r.step.ranks) {
    std::vector<std::string> row{std::to_string(rr.rank)};
    for (std::size_t w = 0; w < kWallPartCount; ++w) row.push_back(format_time(rr.wall[w]));
    row.push_back(format_time(r.step.step));
    tb.rows.push_back(std::move(row));
  }
  return tb;
}

Table kernel_sources_table(const RunReport& r) {
  Table tb{"Kernel figures: where each op family's times come from", {"family", "from", "source", "ops (pass)"}, {}};
  for (const FamilySource& f : r.step.kernel_sources) {
    std::string ops;
    for (const std::string& o : f.ops) ops += (ops.empty() ? "" : ", ") + o;
    tb.rows.push_back({f.family, f.from_profile ? "calibration profile" : "roofline default", f.source, ops});
  }
  return tb;
}

Table failures_table(const RunReport& r) {
  Table tb{"Failures and checkpoints",
           {"phase", "system MTBF", "expected failures", "interval (configured)", "Young", "Daly", "goodput",
            "goodput at Daly"},
           {}};
  for (const PhaseForecast& p : r.forecast.phases) {
    const FailureOutcome& f = p.failures;
    tb.rows.push_back({p.title, f.system_mtbf_h > 0 ? fixed(f.system_mtbf_h, 1) + " h" : "never",
                       fixed(f.failures, 1), fixed(60 * p.checkpoint_interval_h, 1) + " min",
                       fixed(60 * p.young_interval_h, 1) + " min", fixed(60 * p.daly_interval_h, 1) + " min",
                       pct(f.goodput), pct(p.goodput_at_daly)});
  }
  return tb;
}

Table cost_table(const RunReport& r) {
  const OwnershipLines& o = r.cost.ownership;
  const OwnershipLines& buy = r.cost.purchase;
  Table tb{"Cost breakdown", {"line", "charged to this run", "purchase price (first phase's cluster)"}, {}};
  tb.rows.push_back({"rental: GPU-hours x $" + fixed(r.cost.usd_per_gpu_hour, 2), usd(r.cost.rental_usd), ""});
  tb.rows.push_back({"ownership: GPUs", usd(o.gpus_usd), usd(buy.gpus_usd)});
  tb.rows.push_back({"ownership: servers", usd(o.servers_usd), usd(buy.servers_usd)});
  tb.rows.push_back({"ownership: NICs", usd(o.nics_usd), usd(buy.nics_usd)});
  tb.rows.push_back({"ownership: switches", usd(o.switches_usd), usd(buy.switches_usd)});
  tb.rows.push_back({"ownership: transceivers", usd(o.transceivers_usd), usd(buy.transceivers_usd)});
  tb.rows.push_back({"ownership: cables", usd(o.cables_usd), usd(buy.cables_usd)});
  tb.rows.push_back({"ownership: power (" + fixed(r.cost.power_kw, 0) + " kW incl. PUE)", usd(o.power_usd), ""});
  tb.rows.push_back({"ownership total", usd(o.total_usd()), usd(buy.capex_usd())});
  return tb;
}

std::vector<Table> all_tables(const RunReport& r) {
  std::vector<Table> tables = {headline_table(r)};
  if (Table ref = reference_table(r); !ref.rows.empty()) tables.push_back(std::move(ref));
  std::vector<Table> rest = {phases_table(r), cost_table(r), failures_table(r), steps_table(r), ranks_table(r),
                             wall_breakdown_table(r), kernel_sources_table(r)};
  tables.insert(tables.end(), std::make_move_iterator(rest.begin()), std::make_move_iterator(rest.end()));
  return tables;
}

std::size_t leading_tables(const RunReport& r) { return r.scenario.reference.given() ? 2 : 1; }

}  // namespace deepsim

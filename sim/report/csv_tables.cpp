#include "sim/report/csv_tables.h"

#include <sstream>

#include "sim/scenario/scalar_codec.h"

namespace deepsim {
namespace {

std::string num(double v) { return shortest(v); }

}  // namespace

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string phases_csv(const RunReport& r) {
  std::ostringstream out;
  out << "phase,title,gpu,gpus,steps,tokens,compute_gpu_hours,gpu_hours,days,goodput,expected_failures,"
         "tokens_per_s,tflops_per_gpu_causal,tflops_per_gpu_non_causal,mfu_bf16_causal,mfu_fp8_causal,"
         "rental_usd,ownership_usd,cost_usd,usd_per_million_tokens\n";
  for (std::size_t i = 0; i < r.forecast.phases.size(); ++i) {
    const PhaseForecast& p = r.forecast.phases[i];
    const PhaseCost& c = r.cost.phases.at(i);
    const Throughput& t = p.throughput;
    out << csv_field(p.key) << ',' << csv_field(p.title) << ',' << csv_field(p.cluster.gpu.name) << ',' << p.gpus
        << ',' << p.steps << ',' << num(p.tokens) << ',' << num(p.compute_gpu_hours) << ',' << num(p.gpu_hours) << ','
        << num(p.wall_s / 86400.0) << ',' << num(p.failures.goodput) << ',' << num(p.failures.failures) << ','
        << num(t.tokens_per_s) << ',' << num(t.tflops_per_gpu_causal) << ',' << num(t.tflops_per_gpu_non_causal)
        << ',' << num(t.mfu_bf16_causal) << ',' << num(t.mfu_fp8_causal) << ',' << num(c.rental_usd) << ','
        << num(c.ownership.total_usd()) << ',' << num(c.usd) << ',' << num(c.usd_per_million_tokens) << '\n';
  }
  return out.str();
}

std::string ranks_csv(const RunReport& r) {
  std::ostringstream out;
  out << "rank,gpu,busy_s,idle_s,exposed_comm_s,bubble_s,peak_memory_bytes,activation_peak_bytes";
  for (std::size_t c = 0; c < kStepCategoryCount; ++c) out << ',' << to_string(static_cast<StepCategory>(c)) << "_s";
  out << '\n';
  for (const RankResult& rr : r.step.ranks) {
    out << rr.rank << ',' << rr.gpu << ',' << num(rr.busy.seconds()) << ',' << num(rr.idle.seconds()) << ','
        << num(rr.exposed_comm.seconds()) << ',' << num(rr.bubble.seconds()) << ',' << num(rr.peak_memory.value())
        << ',' << num(rr.activation_peak.value());
    for (std::size_t c = 0; c < kStepCategoryCount; ++c) out << ',' << num(rr.by_category[c].seconds());
    out << '\n';
  }
  return out.str();
}

}  // namespace deepsim

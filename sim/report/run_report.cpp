#include "sim/report/run_report.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/perf/kernel_model_factory.h"
#include "sim/scenario/loader.h"

namespace deepsim {
namespace {

std::uint64_t fnv1a(std::string_view text, std::uint64_t h) {
  for (const unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace

MemoryFit memory_fit(const RunReport& r) {
  const double hbm = r.scenario.cluster.gpu.hbm.value();
  MemoryFit f{true, 0, hbm};
  for (const RankResult& rr : r.step.ranks) {
    f.peak_bytes = std::max(f.peak_bytes, rr.peak_memory.value());
    f.min_headroom_bytes = std::min(f.min_headroom_bytes, hbm - rr.peak_memory.value());
  }
  f.fits = f.min_headroom_bytes >= 0;
  return f;
}

static std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string input_hash(const Scenario& s, std::string_view deepsim_version) {
  std::uint64_t h = fnv1a(to_yaml(s), 0xcbf29ce484222325ULL);
  h = fnv1a("\ndeepsim ", h);
  h = fnv1a(deepsim_version, h);
  // The files the scenario reads, by content: editing a trace or a profile must not reuse an old result.
  // (A sweep's base scenario is covered by to_yaml, which spells every key out.)
  if (!s.calibration.profile.empty()) {
    h = fnv1a("\nprofile\n", h);
    h = fnv1a(file_bytes(resolve_scenario_profile(s.calibration.profile, s.source_file,
                                                  s.pos_of("calibration.profile"))), h);
  }
  if (s.model.is_moe() && s.moe.source == LoadSource::kTrace) {
    h = fnv1a("\ntrace\n", h);
    h = fnv1a(file_bytes(s.moe.trace_path), h);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

RunReport make_run_report(const Scenario& s, const StepFn& step, const InventoryFn& inventory,
                          std::string deepsim_version) {
  RunReport r;
  r.scenario = s;
  r.input_hash = input_hash(s, deepsim_version);
  r.deepsim_version = std::move(deepsim_version);
  r.params = count_params(s.model);
  r.flops_causal = flops_per_token(s.model, s.training.seq_len, true);
  r.flops_non_causal = flops_per_token(s.model, s.training.seq_len, false);
  r.forecast = forecast_run(s, step);
  r.cost = cost_forecast(r.forecast, s, inventory);
  bool found = false;
  for (const SimulatedStep& st : r.forecast.steps) {
    if (st.phase == "pre_training" && st.seq_len == s.training.seq_len &&
        st.micro_batches == s.parallel.micro_batches && st.simulated_sequences == s.training.global_batch) {
      r.step = st.result;
      found = true;
      break;
    }
  }
  if (!found) r.step = step(s);
  return r;
}

}  // namespace deepsim

// One line of a batch's results.csv: a scenario's headline figures read back from its result.json (so a
// computed and a reused result give the same row), or its error. The summary ranks these rows.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace deepsim {

struct BatchRow {
  std::uint64_t index = 0;
  std::string file;
  std::string label;
  std::string hash;        // input hash; empty when the scenario did not load
  bool ok = false;
  std::string error;       // when !ok
  std::string name, gpu, schedule;
  int gpus = 0, pp = 0, dp = 0, ep = 0;
  bool fits = true;                 // result.json memory.fits: the plan fits in HBM on every rank
  double min_headroom_bytes = 0;    // HBM minus the fullest rank's peak; negative when it does not fit
  double bubble_s = 0, exposed_comm_s = 0;  // of the configured step (the largest rank's, as in result.json)
  double step_time_s = 0, gpu_hours = 0, days = 0, cost_usd = 0, usd_per_million_tokens = 0, mfu_bf16_causal = 0;
};

[[nodiscard]] BatchRow row_from_result(const nlohmann::ordered_json& result);
[[nodiscard]] std::string results_csv_header();
[[nodiscard]] std::string results_csv_line(const BatchRow& row);

}  // namespace deepsim

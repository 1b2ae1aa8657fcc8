// One line of a batch's results.csv: a scenario's headline figures read back from its result.json (so a
// computed and a reused result give the same row), or its error. The summary ranks these rows. A
// training point fills the typed fields; another kind of point (batch_kind.h: serving) fills `figures`.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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
  // A non-training kind's columns by name (numbers, strings, booleans), as its result.json holds them;
  // empty for a training row.
  nlohmann::ordered_json figures = nlohmann::ordered_json::object();
};

[[nodiscard]] BatchRow row_from_result(const nlohmann::ordered_json& result);
[[nodiscard]] std::string results_csv_header();
[[nodiscard]] std::string results_csv_line(const BatchRow& row);

// results.csv of a kind whose row carries `figures`: index,file,label,status,input_hash, the columns in
// the given order (a number in its shortest round-trip form, a boolean as true/false, text quoted as
// CSV needs), then error.
[[nodiscard]] std::string figures_csv_header(const std::vector<std::string>& columns);
[[nodiscard]] std::string figures_csv_line(const BatchRow& row, const std::vector<std::string>& columns);

}  // namespace deepsim

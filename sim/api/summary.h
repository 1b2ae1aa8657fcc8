// Plain figures of a run for front ends: every number a dashboard shows, already in display units
// (seconds, GB, dollars, fractions), so views only format them. Built from RunOutput by summarize().
#pragma once

#include <string>
#include <vector>

#include "sim/api/run.h"
#include "sim/report/reference_rows.h"

namespace deepsim::api {

struct Headline {
  std::string scenario;
  int gpus = 0;
  std::string gpu;                 // catalog name
  double gpu_hours = 0;            // whole run, failures and checkpoints included
  double compute_gpu_hours = 0;    // failure-free
  double days = 0;                 // wall time, phases one after another
  double rental_usd = 0;           // GPU-hours x pricing.usd_per_gpu_hour
  double ownership_usd = 0;        // capex share for the hours held + power (docs/cost.md)
  std::string cost_basis;          // "rental" or "ownership": which one is the run's cost
  double usd_per_million_tokens = 0;
  double mfu_bf16_causal = 0;      // fraction of the dense BF16 peak
  double mfu_fp8_causal = 0;       // fraction of the dense FP8 peak
  double tokens_per_s = 0;         // wall time, failures included
  double tflops_per_gpu_causal = 0;
  double step_s = 0, bubble_s = 0, exposed_comm_s = 0, compute_busy_s = 0;
  double step_lower_bound_s = 0;   // compute at peak only: a bound, not a prediction
  bool memory_fits = true;         // every stage within HBM
};

struct StageMemoryRow {
  int stage = 0;
  int layers = 0;
  double weights_gb = 0, master_weights_gb = 0, gradients_gb = 0, optimizer_gb = 0, activations_gb = 0;
  double total_gb = 0;
  double hbm_gb = 0;
  [[nodiscard]] bool fits() const { return total_gb <= hbm_gb; }
};

struct PhaseRow {
  std::string key, title;
  int gpus = 0;
  double steps = 0, tokens = 0;
  double days = 0;
  double gpu_hours = 0, compute_gpu_hours = 0;
  double rental_usd = 0, ownership_usd = 0, usd = 0;
};

struct LinkRow {
  std::string link_class;          // "nvlink", "pcie", "nic", "leaf-spine", ...
  int links = 0;
  double bytes = 0;
  double mean_utilisation = 0, max_utilisation = 0;  // fractions of capacity over the step
};

struct RankRow {
  int rank = 0, gpu = 0;
  double busy_s = 0, exposed_comm_s = 0, bubble_s = 0, peak_memory_gb = 0;
};

struct RunSummary {
  Headline headline;
  std::vector<StageMemoryRow> memory;
  std::vector<PhaseRow> phases;
  std::vector<LinkRow> links;
  std::vector<RankRow> ranks;
  std::vector<ReferenceRow> reference;  // the scenario's `reference:` figures beside the prediction
  std::vector<std::string> notes;  // the step's and the forecast's modelling notes, in that order
};

[[nodiscard]] RunSummary summarize(const RunOutput& r);

}  // namespace deepsim::api

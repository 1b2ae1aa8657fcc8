// What a scenario says about the whole training run beyond pre-training's `training:` section: the later
// phases (context extension, post-training), failures and checkpoints, the forecast's resolution, and the
// ownership side of the price table. Read by sim/forecast and sim/cost; docs/forecast.md and docs/cost.md
// give the models, and the defaults below are the one price and reliability table (sources there).
#pragma once

#include <string>

namespace deepsim {

// One training phase after pre-training. Disabled while both steps and tokens are 0. seq_len and
// global_batch of 0 take pre-training's values; `plan` holds `--set` overrides (separated by ';') that
// give the phase its own parallel plan or cluster, e.g. "parallel.pp=8; parallel.dp=256".
struct PhaseSpec {
  int steps = 0;             // steps to run (context extension is published in steps) ...
  double tokens = 0;         // ... or tokens to train on (post-training budgets); not both
  int seq_len = 0;           // tokens per sequence; 0: training.seq_len
  int global_batch = 0;      // sequences per step; 0: training.global_batch
  std::string plan;          // overrides applied to the scenario for this phase only

  [[nodiscard]] bool enabled() const { return steps > 0 || tokens > 0; }

  bool operator==(const PhaseSpec&) const = default;
};

// Two context-extension stages (DeepSeek-V3: 32K then 128K, 1000 steps each; TR 4.3).
struct ContextExtensionSpec {
  PhaseSpec stage1;
  PhaseSpec stage2;

  bool operator==(const ContextExtensionSpec&) const = default;
};

// Post-training as token budgets: supervised fine-tuning and reinforcement learning. RL is modelled as
// its training steps only; rollout generation is not simulated (docs/forecast.md).
struct PostTrainingSpec {
  PhaseSpec sft;
  PhaseSpec rl;

  bool operator==(const PostTrainingSpec&) const = default;
};

// Failures form a Poisson process; checkpoints bound the work a failure destroys (docs/forecast.md).
// Defaults are derived from Llama 3's 54-day snapshot on 16,384 H100 (arXiv 2407.21783, 3.3.4): 419
// unexpected interruptions, 58.7% GPU-attributed -> 16384 x 1296 h / 246 = 86,000 h per GPU; the other
// 173 over 2048 hosts -> 2048 x 1296 h / 173 = 15,000 h per node. Checkpoint and restart times: assumptions.
struct FailureSpec {
  double gpu_mtbf_hours = 86000;      // mean time between failures of one GPU; 0: GPUs never fail
  double node_mtbf_hours = 15000;     // of one node's other parts (host, NICs, ...); 0: never
  double checkpoint_interval_min = 60;  // training time between checkpoints
  double checkpoint_write_s = 60;     // training stalls this long per checkpoint
  double restart_min = 10;            // detect, replace or exclude, reload, warm up

  bool operator==(const FailureSpec&) const = default;
};

// How finely the forecast samples the run.
struct ForecastSpec {
  int ramp_levels = 8;  // distinct batch sizes the batch ramp is cut into, each simulated once

  bool operator==(const ForecastSpec&) const = default;
};

// Ownership prices (the rental price is PricingSpec::usd_per_gpu_hour). Every figure is an assumption
// unless docs/cost.md gives a source; a scenario overrides any of them under `pricing:`.
struct OwnershipPrices {
  std::string basis = "rental";       // which total is run.cost_usd: "rental" or "ownership"
  double gpu_usd = 30000;             // one GPU
  double server_usd = 60000;          // one node without its GPUs and scale-out NICs
  double nic_usd = 1500;              // one scale-out NIC
  double switch_usd = 25000;          // one 64-port 400G switch
  double transceiver_usd = 1000;      // one 400G optical transceiver
  double cable_usd = 200;             // one optical cable
  double amortisation_years = 4;      // capex spread over this service life, used 24 x 365
  double usd_per_kwh = 0.08;
  double pue = 1.3;                   // facility power / IT power
  double gpu_power_fraction = 1.0;    // average draw / TDP while training (1: at TDP, an upper bound)
  double node_overhead_w = 3000;      // CPUs, DRAM, NVSwitches, NICs, fans per node
  double switch_w = 1000;             // one switch with its optics

  bool operator==(const OwnershipPrices&) const = default;
};

// Published or measured figures to set beside the prediction (`reference:`; docs/scenario.md): the
// reports show each with the prediction and the error. 0 (or "") means not given; every figure given
// names its source, so a report never shows a number nobody can look up.
struct ReferenceSpec {
  std::string kind = "published";  // "published" (a paper, a vendor) or "measured" (a run of one's own)
  double step_time_s = 0;          // one training step, compared with the configured step
  std::string step_time_source;
  double gpu_hours = 0;            // the whole run, compared with the forecast's GPU-hours
  std::string gpu_hours_source;
  double cost_usd = 0;             // the whole run, compared with the headline cost (pricing.basis)
  std::string cost_source;

  [[nodiscard]] bool given() const { return step_time_s > 0 || gpu_hours > 0 || cost_usd > 0; }
  bool operator==(const ReferenceSpec&) const = default;
};

}  // namespace deepsim

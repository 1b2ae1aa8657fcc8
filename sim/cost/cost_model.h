// Dollars for a run (docs/cost.md). Two bases, both always computed:
//  - rental:    GPU-hours x pricing.usd_per_gpu_hour;
//  - ownership: capex (GPUs, servers, NICs, switches, transceivers, cables at the price table's unit
//    prices) spread evenly over amortisation_years x 8760 h and charged for the hours the run holds the
//    cluster, plus power: (GPUs x TDP x gpu_power_fraction + nodes x node_overhead_w + switches x switch_w)
//    x PUE x usd_per_kwh.
// pricing.basis picks which one is the run's cost. Prices are scenario keys (sim/scenario/run_spec.h).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "sim/cost/network_inventory.h"
#include "sim/scenario/scenario.h"

namespace deepsim {

// The hardware a phase holds.
struct HardwareUsage {
  int gpus = 0;
  int nodes = 0;
  double gpu_tdp_w = 0;
  NetworkInventory network;
};

// Ownership dollars by line; as capex (whole purchase) or charged for some hours.
struct OwnershipLines {
  double gpus_usd = 0, servers_usd = 0, nics_usd = 0, switches_usd = 0, transceivers_usd = 0, cables_usd = 0;
  double power_usd = 0;
  [[nodiscard]] double network_usd() const { return nics_usd + switches_usd + transceivers_usd + cables_usd; }
  [[nodiscard]] double capex_usd() const { return gpus_usd + servers_usd + network_usd(); }
  [[nodiscard]] double total_usd() const { return capex_usd() + power_usd; }
};

[[nodiscard]] OwnershipLines purchase_price(const HardwareUsage& hw, const OwnershipPrices& prices);
// Facility power in kW, PUE included.
[[nodiscard]] double facility_power_kw(const HardwareUsage& hw, const OwnershipPrices& prices);
// Ownership cost of holding `hw` for `hours`: each capex line x hours / life, plus power.
[[nodiscard]] OwnershipLines ownership_cost(const HardwareUsage& hw, const OwnershipPrices& prices, double hours);

// One phase as the cost model needs it.
struct PhaseUsage {
  std::string name;
  double wall_h = 0;     // hours the phase holds its cluster (failures and checkpoints included)
  double gpu_hours = 0;  // wall_h x GPUs
  double tokens = 0;
  HardwareUsage hardware;
};

struct PhaseCost {
  std::string name;
  double rental_usd = 0;
  OwnershipLines ownership;
  double usd = 0;  // on the chosen basis
  double usd_per_million_tokens = 0;
};

struct RunCost {
  std::string basis;                 // "rental" or "ownership"
  double usd_per_gpu_hour = 0;
  std::vector<PhaseCost> phases;
  double rental_usd = 0;
  OwnershipLines ownership;          // summed over phases
  double usd = 0;                    // on the chosen basis
  double usd_per_million_tokens = 0;
  OwnershipLines purchase;           // the first phase's cluster bought outright (for the breakdown)
  double power_kw = 0;               // the first phase's cluster
};

[[nodiscard]] RunCost estimate_cost(std::span<const PhaseUsage> phases, const PricingSpec& pricing,
                                    const OwnershipPrices& prices);

}  // namespace deepsim

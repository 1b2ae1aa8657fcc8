// Prices a forecast: each phase holds its cluster for its wall time (failures included), which the cost
// model (sim/cost/cost_model.h) turns into rental and ownership dollars.
#pragma once

#include <functional>
#include <vector>

#include "sim/cost/cost_model.h"
#include "sim/forecast/forecast.h"

namespace deepsim {

// How a cluster's network is counted; the CLI passes network_inventory (the topology builder), tests a
// fixed inventory.
using InventoryFn = std::function<NetworkInventory(const ClusterSpec&)>;

[[nodiscard]] std::vector<PhaseUsage> phase_usage(const Forecast& f, const InventoryFn& inventory);
[[nodiscard]] RunCost cost_forecast(const Forecast& f, const Scenario& s, const InventoryFn& inventory);

}  // namespace deepsim

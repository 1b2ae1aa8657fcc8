#include "sim/forecast/forecast_cost.h"

namespace deepsim {

std::vector<PhaseUsage> phase_usage(const Forecast& f, const InventoryFn& inventory) {
  std::vector<PhaseUsage> out;
  for (const PhaseForecast& ph : f.phases) {
    PhaseUsage u;
    u.name = ph.title;
    u.wall_h = ph.wall_s / 3600.0;
    u.gpu_hours = ph.gpu_hours;
    u.tokens = ph.tokens;
    u.hardware.gpus = ph.gpus;
    u.hardware.nodes = ph.nodes;
    u.hardware.gpu_tdp_w = ph.cluster.gpu.tdp_w;
    u.hardware.network = inventory(ph.cluster);
    out.push_back(std::move(u));
  }
  return out;
}

RunCost cost_forecast(const Forecast& f, const Scenario& s, const InventoryFn& inventory) {
  const std::vector<PhaseUsage> usage = phase_usage(f, inventory);
  return estimate_cost(usage, s.pricing, s.ownership);
}

}  // namespace deepsim

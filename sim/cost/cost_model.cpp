#include "sim/cost/cost_model.h"

namespace deepsim {
namespace {

constexpr double kHoursPerYear = 24.0 * 365.0;

}  // namespace

OwnershipLines purchase_price(const HardwareUsage& hw, const OwnershipPrices& p) {
  OwnershipLines l;
  l.gpus_usd = hw.gpus * p.gpu_usd;
  l.servers_usd = hw.nodes * p.server_usd;
  l.nics_usd = hw.network.nics * p.nic_usd;
  l.switches_usd = hw.network.switches * p.switch_usd;
  l.transceivers_usd = hw.network.transceivers * p.transceiver_usd;
  l.cables_usd = hw.network.optical_cables * p.cable_usd;
  return l;
}

double facility_power_kw(const HardwareUsage& hw, const OwnershipPrices& p) {
  const double it_w =
      hw.gpus * hw.gpu_tdp_w * p.gpu_power_fraction + hw.nodes * p.node_overhead_w + hw.network.switches * p.switch_w;
  return it_w * p.pue / 1000.0;
}

OwnershipLines ownership_cost(const HardwareUsage& hw, const OwnershipPrices& p, double hours) {
  OwnershipLines l = purchase_price(hw, p);
  const double share = hours / (p.amortisation_years * kHoursPerYear);
  for (double* v : {&l.gpus_usd, &l.servers_usd, &l.nics_usd, &l.switches_usd, &l.transceivers_usd, &l.cables_usd})
    *v *= share;
  l.power_usd = facility_power_kw(hw, p) * hours * p.usd_per_kwh;
  return l;
}

RunCost estimate_cost(std::span<const PhaseUsage> phases, const PricingSpec& pricing, const OwnershipPrices& prices) {
  RunCost run;
  run.basis = prices.basis;
  run.usd_per_gpu_hour = pricing.usd_per_gpu_hour;
  const bool rental = prices.basis != "ownership";
  double tokens = 0;
  for (const auto& ph : phases) {
    PhaseCost c;
    c.name = ph.name;
    c.rental_usd = ph.gpu_hours * pricing.usd_per_gpu_hour;
    c.ownership = ownership_cost(ph.hardware, prices, ph.wall_h);
    c.usd = rental ? c.rental_usd : c.ownership.total_usd();
    c.usd_per_million_tokens = ph.tokens > 0 ? c.usd / (ph.tokens / 1e6) : 0.0;
    run.rental_usd += c.rental_usd;
    const OwnershipLines& o = c.ownership;
    run.ownership.gpus_usd += o.gpus_usd;
    run.ownership.servers_usd += o.servers_usd;
    run.ownership.nics_usd += o.nics_usd;
    run.ownership.switches_usd += o.switches_usd;
    run.ownership.transceivers_usd += o.transceivers_usd;
    run.ownership.cables_usd += o.cables_usd;
    run.ownership.power_usd += o.power_usd;
    run.usd += c.usd;
    tokens += ph.tokens;
    run.phases.push_back(std::move(c));
  }
  run.usd_per_million_tokens = tokens > 0 ? run.usd / (tokens / 1e6) : 0.0;
  if (!phases.empty()) {
    run.purchase = purchase_price(phases.front().hardware, prices);
    run.power_kw = facility_power_kw(phases.front().hardware, prices);
  }
  return run;
}

}  // namespace deepsim

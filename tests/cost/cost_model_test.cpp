// The cost model (cost_model.h) against hand calculations with the default price table
// (OwnershipPrices: GPU $30,000, server $60,000, NIC $1,500, switch $25,000, transceiver $1,000,
// cable $200, 4 years, $0.08/kWh, PUE 1.3, GPU at TDP, 3 kW per node, 1 kW per switch).
// Hardware: 16 GPUs of 700 W in 2 nodes; 16 NICs, 3 switches, 40 transceivers, 20 optical cables.
//   purchase: GPUs 480,000; servers 120,000; NICs 24,000; switches 75,000; transceivers 40,000;
//             cables 4,000 -> capex 743,000.
//   IT power: 16 x 700 + 2 x 3000 + 3 x 1000 = 20,200 W -> x 1.3 = 26.26 kW.
//   life = 4 x 8760 = 35,040 h.
#include "sim/cost/cost_model.h"

#include <gtest/gtest.h>

#include "sim/cost/network_inventory.h"

namespace deepsim {
namespace {

HardwareUsage hardware() { return {16, 2, 700, {16, 3, 40, 20}}; }

TEST(CostModel, PurchasePriceByLine) {
  const OwnershipLines l = purchase_price(hardware(), OwnershipPrices{});
  EXPECT_DOUBLE_EQ(l.gpus_usd, 480000);
  EXPECT_DOUBLE_EQ(l.servers_usd, 120000);
  EXPECT_DOUBLE_EQ(l.nics_usd, 24000);
  EXPECT_DOUBLE_EQ(l.switches_usd, 75000);
  EXPECT_DOUBLE_EQ(l.transceivers_usd, 40000);
  EXPECT_DOUBLE_EQ(l.cables_usd, 4000);
  EXPECT_DOUBLE_EQ(l.capex_usd(), 743000);
  EXPECT_DOUBLE_EQ(l.power_usd, 0);
}

TEST(CostModel, FacilityPower) { EXPECT_NEAR(facility_power_kw(hardware(), OwnershipPrices{}), 26.26, 1e-12); }

TEST(CostModel, OwnershipOverTheWholeLifeIsCapexPlusPower) {
  // Power over 35,040 h: 26.26 x 35040 x 0.08 = 73,612.032.
  const OwnershipLines l = ownership_cost(hardware(), OwnershipPrices{}, 35040);
  EXPECT_NEAR(l.capex_usd(), 743000, 1e-6);
  EXPECT_NEAR(l.power_usd, 73612.032, 1e-6);
  // A tenth of the life costs a tenth of the capex.
  EXPECT_NEAR(ownership_cost(hardware(), OwnershipPrices{}, 3504).capex_usd(), 74300, 1e-6);
}

TEST(CostModel, RunCostPerPhaseAndPerMillionTokens) {
  // Phase A: 100 h on 16 GPUs = 1600 GPU-h, 1e9 tokens. Phase B: 50 h = 800 GPU-h, 1e9 tokens. $2 / GPU-h.
  const std::vector<PhaseUsage> phases = {{"A", 100, 1600, 1e9, hardware()}, {"B", 50, 800, 1e9, hardware()}};
  PricingSpec pricing;
  pricing.usd_per_gpu_hour = 2.0;
  OwnershipPrices prices;
  const RunCost rental = estimate_cost(phases, pricing, prices);
  EXPECT_EQ(rental.basis, "rental");
  EXPECT_DOUBLE_EQ(rental.phases[0].rental_usd, 3200);
  EXPECT_DOUBLE_EQ(rental.usd, 4800);
  EXPECT_DOUBLE_EQ(rental.usd_per_million_tokens, 4800 / 2000.0);
  EXPECT_DOUBLE_EQ(rental.phases[1].usd_per_million_tokens, 1600 / 1000.0);
  // Ownership for 150 h: 743,000 x 150 / 35,040 + 26.26 x 150 x 0.08.
  prices.basis = "ownership";
  const RunCost owned = estimate_cost(phases, pricing, prices);
  const double expected = 743000.0 * 150 / 35040 + 26.26 * 150 * 0.08;
  EXPECT_NEAR(owned.usd, expected, 1e-6);
  EXPECT_NEAR(owned.ownership.total_usd(), expected, 1e-6);
  EXPECT_DOUBLE_EQ(owned.rental_usd, 4800);  // both bases are always reported
  EXPECT_DOUBLE_EQ(owned.purchase.capex_usd(), 743000);
  EXPECT_NEAR(owned.power_kw, 26.26, 1e-12);
}

TEST(CostModel, InventoryFromTopologyCounts) {
  TopologyCounts c;
  c.nics = 16;
  c.leaf = 8;
  c.spine = 4;
  c.core = 1;
  c.optical_cables = 30;
  c.optical_transceivers = 60;
  const NetworkInventory inv = inventory_of(c);
  EXPECT_EQ(inv.nics, 16);
  EXPECT_EQ(inv.switches, 13);
  EXPECT_EQ(inv.optical_cables, 30);
  EXPECT_EQ(inv.transceivers, 60);
}

TEST(CostModel, InventoryOfABuiltCluster) {
  ClusterSpec c;
  c.nodes = 2;
  c.gpus_per_node = 8;
  c.nics_per_node = 8;
  c.gpu.nvlink_per_direction = Bandwidth::gb_per_s(200);
  c.gpu.nvlink_achievable = 0.8;
  c.gpu.pcie_per_direction = Bandwidth::gb_per_s(64);
  c.gpu.pcie_achievable = 0.85;
  c.nic.line_rate = Bandwidth::gbit_per_s(400);
  c.nic.achievable = 0.8;
  const NetworkInventory inv = network_inventory(c);
  EXPECT_EQ(inv.nics, 16);  // one scale-out NIC per GPU
  EXPECT_GE(inv.switches, 8);  // at least one leaf in each of the 8 planes
  EXPECT_EQ(inv.transceivers, 2 * inv.optical_cables);
}

}  // namespace
}  // namespace deepsim

// Max-min fairness on systems small enough to solve by hand (each solution derived in its comment),
// plus the defining property checked on random systems.
#include "sim/net/maxmin.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <random>
#include <vector>

namespace deepsim {
namespace {

constexpr double kGB = 1e9;  // capacities below are in GB/s, written as multiples of this
constexpr double kTolerance = 1e-3;  // bytes/s: far below any rate that matters, far above rounding

std::uint32_t flow(MaxMinProblem& p, std::initializer_list<std::uint32_t> links) {
  return p.add_flow(std::vector<std::uint32_t>(links));
}

// One link of 12 GB/s shared by 3 flows: each gets 12/3 = 4 GB/s.
TEST(MaxMin, FlowsOnOneBottleneckShareItEqually) {
  MaxMinProblem p;
  const auto l = p.add_link(12 * kGB);
  for (int i = 0; i < 3; ++i) (void)flow(p, {l});
  for (const double r : solve_maxmin(p)) EXPECT_NEAR(r, 4 * kGB, kTolerance);
}

// A flow alone gets the smallest capacity on its path: min(100, 50, 80) = 50 GB/s.
TEST(MaxMin, LoneFlowGetsItsNarrowestLink) {
  MaxMinProblem p;
  const auto a = p.add_link(100 * kGB);
  const auto b = p.add_link(50 * kGB);
  const auto c = p.add_link(80 * kGB);
  (void)flow(p, {a, b, c});
  const auto r = solve_maxmin(p);
  ASSERT_EQ(r.size(), 1U);
  EXPECT_NEAR(r[0], 50 * kGB, kTolerance);
}

// Textbook system, capacities L0 = 10, L1 = 8, L2 = 6 GB/s; flows
//   f0: L0 L1   f1: L0   f2: L1 L2   f3: L2   f4: L1
// Round 1: shares L0 10/2 = 5, L1 8/3 = 2.67, L2 6/2 = 3 -> L1 is the bottleneck:
//          f0 = f2 = f4 = 8/3. Left: L0 10 - 8/3 = 22/3 for f1; L2 6 - 8/3 = 10/3 for f3.
// Round 2: shares L0 22/3, L2 10/3 -> L2: f3 = 10/3.
// Round 3: L0: f1 = 22/3.
// Check: L0 = 8/3 + 22/3 = 10, L1 = 3 * 8/3 = 8, L2 = 8/3 + 10/3 = 6, all saturated.
TEST(MaxMin, TextbookThreeLinksFiveFlows) {
  MaxMinProblem p;
  const auto l0 = p.add_link(10 * kGB);
  const auto l1 = p.add_link(8 * kGB);
  const auto l2 = p.add_link(6 * kGB);
  (void)flow(p, {l0, l1});
  (void)flow(p, {l0});
  (void)flow(p, {l1, l2});
  (void)flow(p, {l2});
  (void)flow(p, {l1});
  const auto r = solve_maxmin(p);
  ASSERT_EQ(r.size(), 5U);
  EXPECT_NEAR(r[0], 8 * kGB / 3, kTolerance);
  EXPECT_NEAR(r[1], 22 * kGB / 3, kTolerance);
  EXPECT_NEAR(r[2], 8 * kGB / 3, kTolerance);
  EXPECT_NEAR(r[3], 10 * kGB / 3, kTolerance);
  EXPECT_NEAR(r[4], 8 * kGB / 3, kTolerance);
}

// Parking lot with four links, the second one wider: L0 = L2 = L3 = 1, L1 = 2 GB/s; a long flow
// crosses all four, short flow s_i crosses L_i only.
// Round 1: shares 1/2, 2/2, 1/2, 1/2 -> L0 (the first of the tied smallest): long = s0 = 1/2.
//          Left: L1 2 - 1/2 = 3/2 for s1; L2 1/2 for s2; L3 1/2 for s3.
// Then L2: s2 = 1/2; L3: s3 = 1/2; L1: s1 = 3/2.
TEST(MaxMin, ParkingLotWithOneWideLink) {
  MaxMinProblem p;
  const std::array<double, 4> caps{1, 2, 1, 1};
  for (const double c : caps) (void)p.add_link(c * kGB);
  (void)flow(p, {0, 1, 2, 3});
  for (std::uint32_t l = 0; l < 4; ++l) (void)flow(p, {l});
  const auto r = solve_maxmin(p);
  EXPECT_NEAR(r[0], 0.5 * kGB, kTolerance);
  EXPECT_NEAR(r[1], 0.5 * kGB, kTolerance);
  EXPECT_NEAR(r[2], 1.5 * kGB, kTolerance);
  EXPECT_NEAR(r[3], 0.5 * kGB, kTolerance);
  EXPECT_NEAR(r[4], 0.5 * kGB, kTolerance);
}

// A flow crossing a link twice takes two shares there: L0 = 9 GB/s, f0 crosses it twice, f1 once.
// n = 3 shares of 9/3 = 3: f0 = f1 = 3, and f0 uses 6 of the 9.
TEST(MaxMin, LinkCrossedTwiceCountsTwice) {
  MaxMinProblem p;
  const auto l = p.add_link(9 * kGB);
  (void)flow(p, {l, l});
  (void)flow(p, {l});
  const auto r = solve_maxmin(p);
  EXPECT_NEAR(r[0], 3 * kGB, kTolerance);
  EXPECT_NEAR(r[1], 3 * kGB, kTolerance);
}

TEST(MaxMin, ZeroCapacityLinkGivesRateZero) {
  MaxMinProblem p;
  const auto dead = p.add_link(0);
  const auto live = p.add_link(5 * kGB);
  (void)flow(p, {live, dead});
  (void)flow(p, {live});
  const auto r = solve_maxmin(p);
  EXPECT_EQ(r[0], 0.0);
  EXPECT_NEAR(r[1], 5 * kGB, kTolerance);
}

// The definition, on random systems: (1) no link carries more than its capacity; (2) every flow has a
// bottleneck: a link on its path that is saturated and on which no flow has a larger rate.
// (Bertsekas & Gallager, Data Networks, 6.5.2: these two conditions characterise max-min fairness.)
TEST(MaxMin, RandomSystemsSatisfyTheBottleneckCondition) {
  std::mt19937 gen(2024);
  for (int trial = 0; trial < 20; ++trial) {
    constexpr std::uint32_t kLinks = 40;
    constexpr int kFlows = 150;
    MaxMinProblem p;
    for (std::uint32_t l = 0; l < kLinks; ++l) (void)p.add_link(static_cast<double>(1 + gen() % 100) * kGB);
    for (int f = 0; f < kFlows; ++f) {
      (void)p.begin_flow();
      const int hops = 1 + static_cast<int>(gen() % 4);
      for (int h = 0; h < hops; ++h) p.extend_last_flow(gen() % kLinks);
    }
    const auto r = solve_maxmin(p);
    std::vector<double> load(kLinks, 0.0);
    std::vector<double> top(kLinks, 0.0);
    for (std::uint32_t f = 0; f < p.flow_count(); ++f) {
      for (const auto l : p.links_of(f)) {
        load[l] += r[f];
        top[l] = std::max(top[l], r[f]);
      }
    }
    const double slack = 1e-9 * 100 * kGB;  // relative rounding on the largest capacity
    for (std::uint32_t l = 0; l < kLinks; ++l) EXPECT_LE(load[l], p.capacity_bytes_per_s(l) + slack);
    for (std::uint32_t f = 0; f < p.flow_count(); ++f) {
      bool has_bottleneck = false;
      for (const auto l : p.links_of(f)) {
        const bool saturated = load[l] >= p.capacity_bytes_per_s(l) - slack;
        has_bottleneck = has_bottleneck || (saturated && r[f] >= top[l] - slack);
      }
      EXPECT_TRUE(has_bottleneck) << "trial " << trial << " flow " << f;
    }
  }
}

}  // namespace
}  // namespace deepsim

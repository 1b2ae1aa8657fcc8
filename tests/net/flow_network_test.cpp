// FlowNetwork on its own: incremental re-solving (only touched components), versions, link accounting.
#include "sim/net/flow_network.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <random>
#include <vector>

#include "sim/core/error.h"

namespace deepsim {
namespace {
using namespace literals;

LinkTable links_of_1_byte_per_ns(int n) {
  LinkTable t;
  for (int i = 0; i < n; ++i) t.add(Link{LinkClass::kNvlink, Bandwidth::gb_per_s(1), Bandwidth::gb_per_s(1), Time::zero(), -1});
  return t;
}

bool updated(const std::vector<FlowNetwork::Update>& u, FlowNetwork::Handle h) {
  for (const auto& x : u) {
    if (x.flow == h) return true;
  }
  return false;
}

// a on L0 and d on L3 are separate components. Starting e on L0 re-solves {a, e} only: d keeps its
// rate, finish and version. a (1000 B, alone from 0) has 900 B left at 100 ns and now gets 1/2 B/ns:
// new finish 100 + 1800 = 1900 ns.
TEST(FlowNetwork, OnlyTheTouchedComponentIsResolved) {
  const LinkTable links = links_of_1_byte_per_ns(4);
  const std::array<LinkId, 1> l0{LinkId(0)};
  const std::array<LinkId, 1> l3{LinkId(3)};
  FlowNetwork net(links);
  std::vector<FlowNetwork::Update> u;
  const auto a = net.start(0_ns, l0, Bytes(1000));
  const auto d = net.start(0_ns, l3, Bytes(1000));
  net.settle(0_ns, u);
  ASSERT_EQ(u.size(), 2U);
  EXPECT_EQ(net.finish_time(a), 1000_ns);
  const std::uint32_t d_version = net.version(d);
  u.clear();
  const auto e = net.start(100_ns, l0, Bytes(1000));
  net.settle(100_ns, u);
  EXPECT_TRUE(updated(u, a));
  EXPECT_TRUE(updated(u, e));
  EXPECT_FALSE(updated(u, d));
  EXPECT_EQ(net.version(d), d_version);
  EXPECT_EQ(net.finish_time(a), 1900_ns);
  EXPECT_EQ(net.solves(), 2U);
  EXPECT_EQ(net.flows_resolved(), 2U + 2U);
}

// Components are transitive: a(L0) - b(L0, L1) - c(L1) form one; d(L2) another. Starting e on L1
// re-solves {a, b, c, e} (4 + 1 flows) and leaves d alone.
TEST(FlowNetwork, ComponentsFollowSharedLinksTransitively) {
  const LinkTable links = links_of_1_byte_per_ns(3);
  const std::array<LinkId, 1> l0{LinkId(0)};
  const std::array<LinkId, 2> l01{LinkId(0), LinkId(1)};
  const std::array<LinkId, 1> l1{LinkId(1)};
  const std::array<LinkId, 1> l2{LinkId(2)};
  FlowNetwork net(links);
  std::vector<FlowNetwork::Update> u;
  (void)net.start(0_ns, l0, Bytes(1000));
  (void)net.start(0_ns, l01, Bytes(1000));
  (void)net.start(0_ns, l1, Bytes(1000));
  const auto d = net.start(0_ns, l2, Bytes(1000));
  net.settle(0_ns, u);
  const std::uint64_t before = net.flows_resolved();
  u.clear();
  (void)net.start(10_ns, l1, Bytes(1000));
  net.settle(10_ns, u);
  EXPECT_EQ(net.flows_resolved() - before, 4U);
  EXPECT_FALSE(updated(u, d));
}

// Finishing a flow frees its share: a and b (1000 B each) share L0 at 1/2 until 2000 ns... unless one
// is smaller. a = 500 B, b = 1500 B: both at 1/2, a ends at 1000 ns with b at 1000 B left, alone at 1:
// b ends at 2000 ns. Its version moves on when re-timed, so the outdated completion is recognisable.
TEST(FlowNetwork, FinishRetimesTheRestAndBumpsVersions) {
  const LinkTable links = links_of_1_byte_per_ns(1);
  const std::array<LinkId, 1> l0{LinkId(0)};
  FlowNetwork net(links);
  std::vector<FlowNetwork::Update> u;
  const auto a = net.start(0_ns, l0, Bytes(500));
  const auto b = net.start(0_ns, l0, Bytes(1500));
  net.settle(0_ns, u);
  EXPECT_EQ(net.finish_time(a), 1000_ns);
  EXPECT_EQ(net.finish_time(b), 3000_ns);
  const std::uint32_t old_version = net.version(b);
  net.finish(1000_ns, a);
  u.clear();
  net.settle(1000_ns, u);
  ASSERT_EQ(u.size(), 1U);
  EXPECT_EQ(u[0].flow, b);
  EXPECT_EQ(u[0].finish, 2000_ns);
  EXPECT_NE(net.version(b), old_version);
  EXPECT_EQ(net.active_count(), 1U);
  EXPECT_DOUBLE_EQ(net.link_bytes()[0], 500.0);
}

// A finished flow's handle is recycled with a fresh version: completions scheduled for the old flow
// never match the new one.
TEST(FlowNetwork, RecycledHandleGetsAFreshVersion) {
  const LinkTable links = links_of_1_byte_per_ns(1);
  const std::array<LinkId, 1> l0{LinkId(0)};
  FlowNetwork net(links);
  std::vector<FlowNetwork::Update> u;
  const auto a = net.start(0_ns, l0, Bytes(100));
  net.settle(0_ns, u);
  const std::uint32_t v = net.version(a);
  net.finish(100_ns, a);
  const auto b = net.start(200_ns, l0, Bytes(100));
  EXPECT_EQ(a, b);
  EXPECT_NE(net.version(b), v);
}

// Busy time counts the periods with at least one flow: [0, 100) and [300, 350) -> 150 ns.
TEST(FlowNetwork, LinkBusyCountsOnlyPeriodsWithFlows) {
  const LinkTable links = links_of_1_byte_per_ns(2);
  const std::array<LinkId, 1> l0{LinkId(0)};
  FlowNetwork net(links);
  std::vector<FlowNetwork::Update> u;
  const auto a = net.start(0_ns, l0, Bytes(100));
  net.settle(0_ns, u);
  net.finish(100_ns, a);
  const auto b = net.start(300_ns, l0, Bytes(50));
  net.settle(300_ns, u);
  net.finish(350_ns, b);
  const auto busy = net.link_busy(1_us);
  EXPECT_EQ(busy[0], 150_ns);
  EXPECT_EQ(busy[1], Time::zero());
}

// Resumption: L0 carries a and b, L1 carries b, c and d (1 B/ns each). Step 0 is L1 (share 1/3):
// b = c = d = 1/3; step 1 is L0: a = 1 - 1/3 = 2/3. When a finishes, nothing froze after it, so
// nothing is re-solved: b, c, d keep their rates, finishes and versions (a full re-solve would
// re-solve the three and find the same rates).
TEST(FlowNetwork, FinishAboveEveryOtherFlowResolvesNothing) {
  const LinkTable links = links_of_1_byte_per_ns(2);
  const std::array<LinkId, 1> l0{LinkId(0)};
  const std::array<LinkId, 2> l01{LinkId(0), LinkId(1)};
  const std::array<LinkId, 1> l1{LinkId(1)};
  FlowNetwork net(links, Time::zero(), FlowNetwork::Resolve::kResumeAll);  // a group this small
  std::vector<FlowNetwork::Update> u;
  const auto a = net.start(0_ns, l0, Bytes(200));
  const auto b = net.start(0_ns, l01, Bytes(3000));
  (void)net.start(0_ns, l1, Bytes(3000));
  (void)net.start(0_ns, l1, Bytes(3000));
  net.settle(0_ns, u);
  EXPECT_EQ(net.finish_time(a), 300_ns);  // 200 B at 2/3 B/ns
  const std::uint32_t b_version = net.version(b);
  const std::uint64_t before = net.flows_resolved();
  u.clear();
  net.finish(300_ns, a);
  net.settle(300_ns, u);
  EXPECT_TRUE(u.empty());
  EXPECT_EQ(net.flows_resolved(), before);
  EXPECT_EQ(net.version(b), b_version);
}

// Resumed and full re-solves agree bit for bit over random runs: flows start and finish in event
// order on a small fabric with tied capacities (thirds among them) and links crossed twice; the
// networks (three: resuming every group, only groups of 64 flows or more, none) see the same calls and
// must return the same updates, and rates equal to a solve of all active flows from scratch.
// Deterministic seeds.
TEST(FlowNetwork, ResumedResolvesMatchFullOnesBitForBit) {
  const std::array<double, 5> gb_per_s{1.0, 2.0, 10.0 / 3.0, 3.0, 0.7};
  std::uint64_t resumed_flows = 0;
  std::uint64_t full_flows = 0;
  std::uint64_t standard_flows = 0;
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    std::mt19937 gen(seed);
    LinkTable links;
    constexpr int kLinks = 12;
    for (int i = 0; i < kLinks; ++i) {
      const Bandwidth bw = Bandwidth::gb_per_s(gb_per_s[gen() % gb_per_s.size()]);
      links.add(Link{LinkClass::kNvlink, bw, bw, Time::zero(), -1});
    }
    constexpr int kFlows = 200;
    std::vector<std::vector<LinkId>> paths(kFlows);  // outlive the flows, as start() requires
    for (auto& p : paths) {
      const int hops = 1 + static_cast<int>(gen() % 4);
      for (int h = 0; h < hops; ++h) p.push_back(LinkId(gen() % kLinks));
    }
    FlowNetwork resumed(links, Time::zero(), FlowNetwork::Resolve::kResumeAll);
    FlowNetwork full(links, Time::zero(), FlowNetwork::Resolve::kFull);
    FlowNetwork standard(links);  // resumes only groups of 64 flows or more
    std::vector<FlowNetwork::Update> us;
    std::vector<FlowNetwork::Update> ur;
    std::vector<FlowNetwork::Update> uf;
    std::vector<FlowNetwork::Handle> live;
    std::vector<std::size_t> path_of;  // by handle
    std::size_t next_path = 0;
    Time now;
    auto start_some = [&](std::size_t n) {
      for (std::size_t i = 0; i < n && next_path < paths.size(); ++i, ++next_path) {
        const Bytes bytes(static_cast<double>(1000 + gen() % 100000));
        const auto h = resumed.start(now, paths[next_path], bytes);
        ASSERT_EQ(full.start(now, paths[next_path], bytes), h);
        ASSERT_EQ(standard.start(now, paths[next_path], bytes), h);
        live.push_back(h);
        if (path_of.size() <= h) path_of.resize(h + 1);
        path_of[h] = next_path;
      }
    };
    start_some(100);  // enough for groups of 64 flows and more
    while (!live.empty()) {
      resumed.settle(now, ur);
      full.settle(now, uf);
      standard.settle(now, us);
      ASSERT_EQ(ur.size(), uf.size()) << "seed " << seed;
      ASSERT_EQ(us.size(), uf.size()) << "seed " << seed;
      for (std::size_t i = 0; i < ur.size(); ++i) {
        ASSERT_EQ(ur[i].flow, uf[i].flow);
        ASSERT_EQ(ur[i].finish, uf[i].finish);
        ASSERT_EQ(ur[i].version, uf[i].version);
        ASSERT_EQ(us[i].flow, uf[i].flow);
        ASSERT_EQ(us[i].finish, uf[i].finish);
      }
      // And both are the max-min allocation of all active flows, solved from scratch in one problem
      // (ties by global link id, as FlowNetwork breaks them).
      MaxMinProblem all;
      for (int l = 0; l < kLinks; ++l) (void)all.add_link(links[LinkId(l)].capacity.bytes_per_s(), l);
      for (const auto h : live) {
        (void)all.begin_flow();
        for (const LinkId l : paths[path_of[h]]) all.extend_last_flow(l.value());
      }
      const std::vector<double> reference = solve_maxmin(all);
      for (std::size_t i = 0; i < live.size(); ++i) {
        ASSERT_EQ(resumed.rate(live[i]).bytes_per_s(), full.rate(live[i]).bytes_per_s()) << "seed " << seed;
        ASSERT_EQ(resumed.rate(live[i]).bytes_per_s(), reference[i]) << "seed " << seed;
        ASSERT_EQ(standard.rate(live[i]).bytes_per_s(), reference[i]) << "seed " << seed;
      }
      ur.clear();
      uf.clear();
      us.clear();
      now = Time::max();
      for (const auto h : live) now = min(now, resumed.finish_time(h));
      for (const auto h : live) {
        if (resumed.finish_time(h) != now) continue;
        resumed.finish(now, h);
        full.finish(now, h);
        standard.finish(now, h);
      }
      std::erase_if(live, [&](FlowNetwork::Handle h) { return !resumed.active(h); });
      if (gen() % 4 == 0) start_some(1 + gen() % 3);
    }
    resumed_flows += resumed.flows_resolved();
    full_flows += full.flows_resolved();
    standard_flows += standard.flows_resolved();
  }
  EXPECT_LT(resumed_flows, full_flows);  // the resumption did skip flows
  EXPECT_LT(standard_flows, full_flows);  // also where only groups of 64 flows or more keep a record
}

TEST(FlowNetwork, RejectsEmptyFlows) {
  const LinkTable links = links_of_1_byte_per_ns(1);
  const std::array<LinkId, 1> l0{LinkId(0)};
  FlowNetwork net(links);
  EXPECT_THROW((void)net.start(0_ns, {}, Bytes(1)), InternalError);
  EXPECT_THROW((void)net.start(0_ns, l0, Bytes(0)), InternalError);
}

}  // namespace
}  // namespace deepsim

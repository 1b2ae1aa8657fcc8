// LinkUseTimeline on cases sampled by hand, and the engine feeding it from flows that the max-min
// model re-rates and from a comm task timed as a duration.
#include "sim/engine/link_use_timeline.h"

#include <gtest/gtest.h>

#include "sim/engine/engine.h"
#include "sim/engine/fixed_comm_model.h"
#include "sim/net/flow_run.h"

namespace deepsim {
namespace {

using Sample = LinkUseTimeline::Sample;

void expect_samples(const std::vector<Sample>& got, const std::vector<Sample>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].at, want[i].at) << "sample " << i;
    EXPECT_DOUBLE_EQ(got[i].bytes_per_s, want[i].bytes_per_s) << "sample " << i;
  }
}

TEST(LinkUseTimeline, TwoOverlappingIntervalsOnOneLink) {
  // A: 20 GB/s over [10, 30) us; B: 10 GB/s over [20, 40) us, on link 0. The step function changes at
  // each end point: 10 us: A alone, 20 GB/s; 20 us: A + B, 30 GB/s; 30 us: B alone, 10 GB/s; 40 us: 0.
  LinkUseTimeline use(2);
  const LinkId l0(0), l1(1);
  use.add(l0, Time::us(20), Time::us(40), 10e9);  // arrival order is not time order
  use.add(l0, Time::us(10), Time::us(30), 20e9);
  expect_samples(use.samples(0), {{Time::us(10), 20e9}, {Time::us(20), 30e9}, {Time::us(30), 10e9}, {Time::us(40), 0}});
  EXPECT_TRUE(use.used(l0));
  EXPECT_FALSE(use.used(l1));
  EXPECT_TRUE(use.samples(1).empty());
}

TEST(LinkUseTimeline, ChannelsSumTheirLinksAndDropInstantsThatCancel) {
  // Links 0 and 1 in channel 0, link 2 not recorded. 5 GB/s on link 0 over [0, 10) us and on link 1
  // over [10, 20) us: the channel carries 5 GB/s throughout [0, 20) us, so 10 us is no change point.
  LinkUseTimeline use({0, 0, LinkUseTimeline::kNoChannel}, 1);
  use.add(LinkId(0), Time::zero(), Time::us(10), 5e9);
  use.add(LinkId(1), Time::us(10), Time::us(20), 5e9);
  use.add(LinkId(2), Time::zero(), Time::us(20), 7e9);
  use.add(LinkId(0), Time::us(5), Time::us(5), 9e9);  // empty interval: nothing
  expect_samples(use.samples(0), {{Time::zero(), 5e9}, {Time::us(20), 0}});
  EXPECT_FALSE(use.used(LinkId(2)));
}

TEST(LinkUseTimeline, SharesSumPerChannelAsLinkByLinkAddsDo) {
  // Channel 0 holds links 0-2, channel 1 link 3, link 4 is not recorded. Shares 0.25 + 0.5 + 0.25 on
  // channel 0 and 2 on channel 1, at 4 GB/s per unit share over [0, 10) us, then the same span again
  // over [5, 15) us (its sums come from the cache the second time): link by link, the same samples.
  const std::vector<std::uint32_t> channels{0, 0, 0, 1, LinkUseTimeline::kNoChannel};
  const std::vector<std::pair<LinkId, double>> shares{
      {LinkId(0), 0.25}, {LinkId(3), 2.0}, {LinkId(1), 0.5}, {LinkId(4), 9.0}, {LinkId(2), 0.25}, {LinkId(9), 1.0}};
  LinkUseTimeline summed(channels, 2), by_link(channels, 2);
  for (const auto& [from, to] : {std::pair{Time::zero(), Time::us(10)}, std::pair{Time::us(5), Time::us(15)}}) {
    summed.add_shares(shares, from, to, 4e9);
    for (const auto& [l, share] : shares) by_link.add(l, from, to, share * 4e9);
  }
  expect_samples(summed.samples(0), {{Time::zero(), 4e9}, {Time::us(5), 8e9}, {Time::us(10), 4e9}, {Time::us(15), 0}});
  for (std::uint32_t c = 0; c < 2; ++c) expect_samples(summed.samples(c), by_link.samples(c));
  for (std::int32_t l = 0; l < 5; ++l) EXPECT_EQ(summed.used(LinkId(l)), by_link.used(LinkId(l))) << "link " << l;
  EXPECT_FALSE(summed.used(LinkId(4)));
  // An empty interval or span adds nothing.
  summed.add_shares(shares, Time::us(20), Time::us(20), 4e9);
  summed.add_shares({}, Time::us(20), Time::us(30), 4e9);
  EXPECT_EQ(summed.samples(1).back().at, Time::us(15));
}

LinkTable two_links() {
  LinkTable links;
  for (int i = 0; i < 2; ++i) links.add({LinkClass::kNicLeaf, Bandwidth::gb_per_s(50), Bandwidth::gb_per_s(50), Time::zero(), 0});
  return links;
}

TEST(LinkUseTimeline, TheEngineFollowsFlowRatesAcrossReSolves) {
  // Flow a: 1 MB on links 0 and 1; flow b: 0.5 MB on link 0; both from t = 0 on 50 GB/s links. Max-min:
  // 25 GB/s each until b ends at 0.5 MB / 25 GB/s = 20 us; then a alone at 50 GB/s for its last 0.5 MB,
  // 10 us more. Link 0 carries 50 GB/s over [0, 30) us; link 1 carries a alone: 25 GB/s until 20 us, then
  // 50 GB/s until 30 us (1 MB in all).
  const LinkTable links = two_links();
  TaskGraph g;
  const LinkId both[] = {LinkId(0), LinkId(1)};
  const LinkId first[] = {LinkId(0)};
  (void)g.add_flow(both, Bytes(1e6), Time::zero());
  (void)g.add_flow(first, Bytes(0.5e6), Time::zero());
  LinkUseTimeline use(links.size());
  RunOptions o;
  o.link_use = &use;
  const RunResult r = run(g, links, o);
  ASSERT_EQ(r.makespan, Time::us(30));
  expect_samples(use.samples(0), {{Time::zero(), 50e9}, {Time::us(30), 0}});
  expect_samples(use.samples(1), {{Time::zero(), 25e9}, {Time::us(20), 50e9}, {Time::us(30), 0}});
  // Without a timeline the run is the same.
  EXPECT_EQ(run(g, links).makespan, r.makespan);
}

// A comm model whose every op lasts 8 us and moves 2 bytes per byte of S over link 1.
class SharingCommModel final : public CommModel {
 public:
  void plan(const CommOp& /*op*/, std::span<const std::int32_t> /*members*/, Plan& out) override {
    out.duration = Time::us(8);
    out.link_share = share_;
    out.share_bytes = Bytes(100e3);
  }

 private:
  std::vector<std::pair<LinkId, double>> share_{{LinkId(1), 2.0}};
};

TEST(LinkUseTimeline, ADurationPlanSpreadsItsBytesOverItsDuration) {
  // After a 2 us delay, an op of 8 us that puts 2 x 100 kB on link 1: 200 kB / 8 us = 25 GB/s over
  // [2, 10) us.
  const LinkTable links = two_links();
  TaskGraph g;
  const TaskId wait = g.add_delay(Time::us(2));
  CommOp op;
  op.kind = CommKind::kAllToAll;
  op.bytes = Bytes(100e3);
  op.group = g.add_comm_group(std::vector<std::int32_t>{0, 1});
  const TaskId comm = g.add_comm(StreamId{}, op);
  g.add_dep(wait, comm);
  SharingCommModel model;
  LinkUseTimeline use(links.size());
  RunOptions o;
  o.link_use = &use;
  const RunResult r = run(g, links, model, o);
  ASSERT_EQ(r.makespan, Time::us(10));
  EXPECT_TRUE(use.samples(0).empty());
  expect_samples(use.samples(1), {{Time::us(2), 25e9}, {Time::us(10), 0}});
  // A model that says nothing about its links records nothing.
  FixedCommModel fixed(Time::us(8));
  LinkUseTimeline none(links.size());
  o.link_use = &none;
  (void)run(g, links, fixed, o);
  EXPECT_TRUE(none.samples(1).empty());
}

}  // namespace
}  // namespace deepsim

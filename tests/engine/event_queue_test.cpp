#include "sim/engine/event_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace deepsim {
namespace {
using namespace literals;

TEST(EventQueue, PopsInTimeOrder) {
  EventQueue<int> q;
  q.push(30_ns, 3);
  q.push(10_ns, 1);
  q.push(20_ns, 2);
  ASSERT_EQ(q.size(), 3U);
  EXPECT_EQ(q.top().time, 10_ns);
  EXPECT_EQ(q.pop().payload, 1);
  EXPECT_EQ(q.pop().payload, 2);
  EXPECT_EQ(q.pop().payload, 3);
  EXPECT_TRUE(q.empty());
}

TEST(EventQueue, SimultaneousEventsLeaveInInsertionOrder) {
  EventQueue<int> q;
  for (int i = 0; i < 100; ++i) q.push(5_ns, i);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(q.pop().payload, i);
}

TEST(EventQueue, PopOfEmptyQueueIsAnInternalError) {
  EventQueue<int> q;
  EXPECT_THROW(q.pop(), InternalError);
}

// Reference: a stable sort by time of everything pushed is the order a (time, sequence) queue must
// produce. Pushes and pops are interleaved, with pushes never earlier than the last pop (as in the
// engine), and times drawn from a small range so that ties are frequent.
TEST(EventQueue, MatchesStableSortUnderInterleavedUse) {
  std::mt19937 gen(7);
  EventQueue<std::uint32_t> q;
  std::vector<std::pair<Time, std::uint32_t>> pending;  // reference agenda, kept in pop order
  Time now;
  std::uint32_t next = 0;
  for (int round = 0; round < 2000; ++round) {
    const int pushes = static_cast<int>(gen() % 4);
    for (int i = 0; i < pushes; ++i) {
      const Time t = now + Time::ns(static_cast<Time::rep>(gen() % 8));
      q.push(t, next);
      const auto pos = std::upper_bound(pending.begin(), pending.end(), t,
                                        [](Time v, const auto& e) { return v < e.first; });
      pending.insert(pos, {t, next});
      ++next;
    }
    if (!pending.empty() && gen() % 2 == 0) {
      const auto e = q.pop();
      EXPECT_EQ(e.time, pending.front().first);
      EXPECT_EQ(e.payload, pending.front().second);
      now = e.time;
      pending.erase(pending.begin());
    }
  }
  EXPECT_EQ(q.size(), pending.size());
}

}  // namespace
}  // namespace deepsim

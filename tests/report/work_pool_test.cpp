// ThreadWorkPool: results consumed in item order whatever order they finish in, within the window;
// errors stop the run and reach the caller; packed string lists round-trip.
#include "sim/report/work_pool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace deepsim {
namespace {

TEST(ThreadWorkPool, ConsumesInItemOrderWhenLaterItemsFinishFirst) {
  ThreadWorkPool pool(4, 3);
  std::vector<std::uint64_t> order;
  pool.run(
      20,
      [](std::uint64_t i) {
        // Early items are the slow ones, so they finish last within each window.
        std::this_thread::sleep_for(std::chrono::milliseconds(i % 4 == 0 ? 5 : 0));
        return "item " + std::to_string(i);
      },
      [&](std::uint64_t i, std::string&& bytes) {
        EXPECT_EQ(bytes, "item " + std::to_string(i));
        order.push_back(i);
      });
  ASSERT_EQ(order.size(), 20U);
  for (std::uint64_t i = 0; i < 20; ++i) EXPECT_EQ(order[i], i);
}

TEST(ThreadWorkPool, AnExceptionStopsTheRunAndIsRethrown) {
  ThreadWorkPool pool(2);
  EXPECT_THROW(pool.run(
                   100,
                   [](std::uint64_t i) -> std::string {
                     if (i == 7) throw std::runtime_error("disk full");
                     return {};
                   },
                   [](std::uint64_t, std::string&&) {}),
               std::runtime_error);
}

TEST(WorkPool, MapReturnsEveryResultInOrderAndZeroItemsIsEmpty) {
  ThreadWorkPool pool(3);
  const auto out = pool.map(5, [](std::uint64_t i) { return std::string(i, 'x'); });
  ASSERT_EQ(out.size(), 5U);
  for (std::size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i].size(), i);
  EXPECT_TRUE(pool.map(0, [](std::uint64_t) { return std::string("never"); }).empty());
}

TEST(WorkPool, PackedStringsRoundTripIncludingEmptyAndBinary) {
  const std::vector<std::string> items = {"", "a", std::string("\0\1\2", 3), std::string(1000, 'z')};
  EXPECT_EQ(unpack_strings(pack_strings(items)), items);
  EXPECT_TRUE(unpack_strings(pack_strings({})).empty());
}

}  // namespace
}  // namespace deepsim

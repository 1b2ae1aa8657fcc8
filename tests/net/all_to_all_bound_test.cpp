#include <gtest/gtest.h>

#include "sim/net/all_to_all_bound.h"

namespace deepsim {
namespace {

EpGroupShape two_by_two() {
  // 2 nodes x 2 GPUs; NIC 50 GB/s, NVLink 100 GB/s per direction; 1 us fixed latency.
  return {4, 2, Bandwidth::gb_per_s(50), Bandwidth::gb_per_s(100), Time::us(1)};
}

TEST(AllToAllBound, OneTokenToThreeGpusCrossesIbOnceAndIsForwardedOverNvlink) {
  // GPU 0 (node 0, local 0) sends one token to GPUs 1, 2 and 3 (expert duplicates on GPU 3 count once).
  //  - GPU 1 is in its own node: NVLink 0 -> 1.
  //  - node 1: one IB crossing 0 -> 2 (same local index 0 there), then NVLink 2 -> 3.
  TokenRouting r;
  r.destinations = {{1, 2, 3, 3}, {}, {}, {}};
  r.offsets = {{0, 4}, {0}, {0}, {0}};
  const double b = 1e9;
  const AllToAllLoad load = all_to_all_load(two_by_two(), r, b);
  EXPECT_DOUBLE_EQ(load.nic_out[0], b);
  EXPECT_DOUBLE_EQ(load.nic_in[2], b);
  EXPECT_DOUBLE_EQ(load.nvlink_out[0], b);
  EXPECT_DOUBLE_EQ(load.nvlink_in[1], b);
  EXPECT_DOUBLE_EQ(load.nvlink_out[2], b);
  EXPECT_DOUBLE_EQ(load.nvlink_in[3], b);
  EXPECT_DOUBLE_EQ(load.ib_bytes, b);
  EXPECT_DOUBLE_EQ(load.nvlink_bytes, 2 * b);
  EXPECT_DOUBLE_EQ(load.unique_token_nodes, 2);
  // The NIC is the bottleneck: 1 GB / 50 GB/s = 20 ms, plus 1 us.
  EXPECT_EQ(all_to_all_time(two_by_two(), load), Time::ms(20) + Time::us(1));
}

TEST(AllToAllBound, UniformTrafficIsNicBoundAndConservesBytes) {
  // Every GPU sends each of its 10 tokens to every GPU of the other node (2 destination GPUs, one node).
  // Per GPU: 10 IB crossings out and 10 in (the partner with the same local index relays), and each
  // relay forwards 10 tokens over NVLink to its neighbour: NVLink out 10, in 10 per GPU.
  TokenRouting r;
  r.destinations.resize(4);
  r.offsets.resize(4);
  for (std::uint16_t src = 0; src < 4; ++src) {
    const std::uint16_t other = src < 2 ? 2 : 0;
    r.offsets[src].push_back(0);
    for (int t = 0; t < 10; ++t) {
      r.destinations[src].push_back(other);
      r.destinations[src].push_back(static_cast<std::uint16_t>(other + 1));
      r.offsets[src].push_back(static_cast<std::uint32_t>(r.destinations[src].size()));
    }
  }
  const AllToAllLoad load = all_to_all_load(two_by_two(), r, 1.0);
  double out = 0, in = 0;
  for (int g = 0; g < 4; ++g) {
    EXPECT_DOUBLE_EQ(load.nic_out[static_cast<std::size_t>(g)], 10.0);
    EXPECT_DOUBLE_EQ(load.nic_in[static_cast<std::size_t>(g)], 10.0);
    EXPECT_DOUBLE_EQ(load.nvlink_out[static_cast<std::size_t>(g)], 10.0);
    out += load.nic_out[static_cast<std::size_t>(g)];
    in += load.nic_in[static_cast<std::size_t>(g)];
  }
  EXPECT_DOUBLE_EQ(out, in);  // conservation over IB
  EXPECT_DOUBLE_EQ(load.ib_bytes, 40.0);
}

TEST(AllToAllBound, DeepEpBytesPerToken) {
  // R24: dispatch carries 7168 x (1 + 4/128) bytes (FP8 + FP32 scales per 128), combine 7168 x 2.
  EXPECT_DOUBLE_EQ(dispatch_bytes_per_token(7168), 7392.0);
  EXPECT_DOUBLE_EQ(combine_bytes_per_token(7168), 14336.0);
}

}  // namespace
}  // namespace deepsim

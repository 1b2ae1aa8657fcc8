// DeepEP's low-latency kernels against their published table (reference R25, Feb 2025, pure RDMA: 128
// tokens, hidden 7168, top-8, FP8 dispatch, BF16 combine, CX7 400G). deepsim's byte model takes the
// bytes from R25's own formula and the bandwidth from ISCA 4.3 ("use 40GB/s for effective bandwidth" of
// a 50 GB/s NIC, the NIC catalog's achievable 0.8); nothing below is fitted to the table.
#include "sim/serve/deepep_timing.h"

#include <gtest/gtest.h>

#include <cmath>

#include "sim/hw/catalog.h"

namespace deepsim {
namespace {

EpCommInput r25_setup(int ep) {
  const NicSpec nic = find_nic("cx7-ib-400g").value();
  const GpuSpec gpu = find_gpu("H800").value();
  EpCommInput in;
  in.tokens = 128;
  in.hidden = 7168;
  in.top_k = 8;
  in.ep = ep;
  in.nic = nic.line_rate;
  in.nic_achievable = nic.achievable;
  in.nvlink = gpu.nvlink_per_direction;
  in.nvlink_achievable = gpu.nvlink_achievable;
  in.latency = nic.latency_cross_leaf;
  return in;
}

struct R25Row {
  int ep;
  double dispatch_us;
  double combine_us;
};
// R25, "Dispatch Feb" and "Combine Feb" columns.
constexpr R25Row kFeb[] = {{8, 163, 318}, {16, 173, 329}, {32, 182, 350}, {64, 186, 353}, {128, 192, 369}, {256, 194, 360}};

TEST(DeepEpLowLatency, BytesFollowTheBenchmarkFormula) {
  const EpCommTime t = deepep_low_latency_time(r25_setup(64));
  EXPECT_DOUBLE_EQ(t.dispatch_bytes.value(), 128.0 * 8 * 7408);  // 7.586 MB
  EXPECT_DOUBLE_EQ(t.combine_bytes.value(), 128.0 * 8 * 14336);  // 14.68 MB
}

TEST(DeepEpLowLatency, MatchesThePublishedFebruaryTable) {
  for (const R25Row& row : kFeb) {
    const EpCommTime t = deepep_low_latency_time(r25_setup(row.ep));
    const double ed = t.dispatch.seconds() * 1e6 / row.dispatch_us - 1;
    const double ec = t.combine.seconds() * 1e6 / row.combine_us - 1;
    // Within 6% on every row (errors: dispatch -0.7..+4.9%, combine -0.3..+5.7%; docs/serving.md).
    EXPECT_LT(std::abs(ed), 0.06) << "EP" << row.ep << " dispatch " << t.dispatch.seconds() * 1e6 << " us";
    EXPECT_LT(std::abs(ec), 0.06) << "EP" << row.ep << " combine " << t.combine.seconds() * 1e6 << " us";
  }
}

TEST(DeepEpLowLatency, NvlinkInsideTheDomainIsFaster) {
  EpCommInput in = r25_setup(72);
  in.nvlink_domain = 72;
  const Time rdma = deepep_low_latency_time(in).total();
  in.use_nvlink = true;
  in.nvlink = Bandwidth::gb_per_s(900);
  EXPECT_LT(deepep_low_latency_time(in).total().seconds() * 5, rdma.seconds());
}

TEST(DeepEpNormal, NodesReachedUnderGroupLimitedRouting) {
  // 8 groups, 4 per token, 4 nodes of 2 groups: a node is missed with C(6,4)/C(8,4) = 15/70.
  EXPECT_DOUBLE_EQ(expected_nodes_reached(8, 4, 4), 4 * (1 - 15.0 / 70));
  // 8 nodes of one group each: exactly 4 nodes.
  EXPECT_DOUBLE_EQ(expected_nodes_reached(8, 4, 8), 4.0);
  EXPECT_DOUBLE_EQ(expected_nodes_reached(8, 4, 1), 1.0);
}

}  // namespace
}  // namespace deepsim

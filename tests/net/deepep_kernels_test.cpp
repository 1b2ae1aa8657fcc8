// DeepEP's kernels (sim/net/deepep_kernels.h): hand-derived cases, then the published figures R24 / R25
// (shared/reference/deepseek-v3.md) with the tolerance stated beside each.
#include <gtest/gtest.h>

#include "sim/hw/catalog.h"
#include "sim/net/deepep_kernels.h"
#include "sim/net/token_routing.h"

namespace deepsim {
namespace {

// The H800 cluster's figures: 132 SMs, HBM 3.35 TB/s, IB cross leaf 3.7 us, NVLink 3.33 us.
DeepEpKernelSpec h800(int comm_sms) {
  ClusterSpec c;
  c.gpu = *find_gpu("H800");
  c.nic = *find_nic("cx7-ib-400g");
  return deepep_kernel_spec(c, comm_sms);
}

TEST(DeepEpKernels, BytesPerTokenFollowTheFp8Recipe) {
  // TR 3.3.3: forward dispatch and the backward of combine (dispatch-shaped) in FP8 with one FP32 scale
  // per 128 channels: 7168 x (1 + 4/128) = 7392 B; forward combine and the backward of dispatch
  // (combine-shaped reductions) in BF16: 14,336 B.
  EXPECT_DOUBLE_EQ(deepep_bytes_per_token(DeepEpKernel::kDispatch, DeepEpPass::kForward, 7168), 7392);
  EXPECT_DOUBLE_EQ(deepep_bytes_per_token(DeepEpKernel::kCombine, DeepEpPass::kBackward, 7168), 7392);
  EXPECT_DOUBLE_EQ(deepep_bytes_per_token(DeepEpKernel::kCombine, DeepEpPass::kForward, 7168), 14336);
  EXPECT_DOUBLE_EQ(deepep_bytes_per_token(DeepEpKernel::kDispatch, DeepEpPass::kBackward, 7168), 14336);
  EXPECT_EQ(deepep_direction(DeepEpKernel::kCombine, DeepEpPass::kBackward), DeepEpKernel::kDispatch);
}

TEST(DeepEpKernels, NotifyIsTwoTraversalsBeforeAForwardDispatchAndOneOtherwise) {
  // 2 x (3.7 + 3.33) = 14.06 us; cached passes 7.03 us.
  const DeepEpKernelSpec k = h800(20);
  EXPECT_EQ(deepep_notify_time(DeepEpKernel::kDispatch, DeepEpPass::kForward, k), Time::ns(14060));
  EXPECT_EQ(deepep_notify_time(DeepEpKernel::kCombine, DeepEpPass::kForward, k), Time::ns(7030));
  EXPECT_EQ(deepep_notify_time(DeepEpKernel::kCombine, DeepEpPass::kBackward, k), Time::ns(7030));
  // r_sm = 3.35 TB/s / (2 x 132) = 12.689 GB/s.
  EXPECT_NEAR(k.copy_rate_per_sm().gb_per_s(), 3350.0 / 264.0, 1e-9);
}

TEST(DeepEpKernels, TheBusierOfLinksAndSmCopiesSetsTheTime) {
  // 2 nodes x 2 GPUs, NIC 50 GB/s, NVLink 100 GB/s, 1 us latency. GPU 0 sends 1 GB to GPU 2 (IB, same
  // local index) and 1 GB to GPU 1 (NVLink): links: 1 GB / 50 GB/s = 20 ms. Copies: GPU 0 sends 2 GB
  // through its two ports, GPU 2 receives 1 GB, GPU 1 1 GB: busiest 2 GB.
  const EpGroupShape g{4, 2, Bandwidth::gb_per_s(50), Bandwidth::gb_per_s(100), Time::us(1)};
  AllToAllLoad load;
  load.nic_out = {1e9, 0, 0, 0};
  load.nic_in = {0, 0, 1e9, 0};
  load.nvlink_out = {1e9, 0, 0, 0};
  load.nvlink_in = {0, 1e9, 0, 0};
  DeepEpKernelSpec k;
  k.gpu_sms = 100;
  k.hbm = Bandwidth::gb_per_s(2000);  // r_sm = 2000 / 200 = 10 GB/s
  k.ib_latency = Time::us(2);
  k.nvlink_latency = Time::us(1);
  // 20 SMs copy 200 GB/s: 2 GB in 10 ms < 20 ms: link-bound; t = notify 6 us + 20 ms + 1 us.
  k.comm_sms = 20;
  DeepEpKernelTime t = deepep_normal_time(g, load, DeepEpKernel::kDispatch, DeepEpPass::kForward, k);
  EXPECT_FALSE(t.sm_bound());
  EXPECT_EQ(t.total, Time::us(6) + Time::ms(20) + Time::us(1));
  // 5 SMs copy 50 GB/s: 2 GB in 40 ms: SM-bound; t = 6 us + 1 us + 40 ms.
  k.comm_sms = 5;
  t = deepep_normal_time(g, load, DeepEpKernel::kDispatch, DeepEpPass::kForward, k);
  EXPECT_TRUE(t.sm_bound());
  EXPECT_EQ(t.total, Time::us(7) + Time::ms(40));
  // comm_sms 0: no SM limit.
  k.comm_sms = 0;
  EXPECT_EQ(deepep_normal_time(g, load, DeepEpKernel::kDispatch, DeepEpPass::kForward, k).total,
            Time::us(6) + Time::ms(20) + Time::us(1));
}

// EP64 on 8 H800 nodes, DeepSeek-V3's routing, 4096 tokens per GPU (R24's setup).
struct Ep64 {
  EpGroupShape g{64, 8, Bandwidth::gb_per_s(40), Bandwidth::gb_per_s(160), Time::ns(3700 + 3330)};
  AllToAllLoad unit;
  Ep64() {
    Rng rng(1);
    unit = all_to_all_load(g, sample_group_limited_routing(GroupLimitedTopK{}, 64, 4096, rng), 1.0);
  }
};

TEST(DeepEpKernels, TwentySmsKeepEp64DispatchLinkBoundAndFewerDoNot) {
  // TR 3.2.2: 20 SMs "suffice to fully utilise the bandwidths of IB and NVLink". With r_sm = 12.7 GB/s
  // the 20 SMs copy 254 GB/s; the busiest GPU's four ports carry less than that at NIC speed, so the
  // forward dispatch is link-bound; with 10 SMs it is SM-bound and slower.
  const Ep64 e;
  const auto at = [&](int sms) {
    return deepep_pass_time(e.g, e.unit, 1.0, DeepEpKernel::kDispatch, DeepEpPass::kForward, 7168, h800(sms));
  };
  EXPECT_FALSE(at(20).sm_bound());
  EXPECT_FALSE(at(24).sm_bound());
  EXPECT_TRUE(at(10).sm_bound());
  EXPECT_GT(at(10).total, at(20).total);
  // SM-bound time halves with twice the SMs (less the fixed latencies).
  const double t6 = (at(6).total - at(6).notify).seconds(), t3 = (at(3).total - at(3).notify).seconds();
  EXPECT_NEAR(t3 / t6, 2.0, 0.01);
  // The backward of combine moves FP8 like the forward dispatch: about half the BF16 time.
  const auto bwd = deepep_pass_time(e.g, e.unit, 1.0, DeepEpKernel::kCombine, DeepEpPass::kBackward, 7168, h800(20));
  const auto fwd = deepep_pass_time(e.g, e.unit, 1.0, DeepEpKernel::kCombine, DeepEpPass::kForward, 7168, h800(20));
  EXPECT_NEAR(bwd.links.seconds() / fwd.links.seconds(), 7392.0 / 14336.0, 0.01);
}

TEST(DeepEpKernels, NormalEp64WithinFifteenPercentOfR24) {
  // R24: EP64 internode dispatch 51 GB/s and combine 50 GB/s of DeepEP's "RDMA bandwidth" (unique
  // (token, node) pairs incl. the own node x bytes per copy / GPU / time), 24 SMs. The model's NIC is
  // ISCA's 40 GB/s planning figure (R5) where DeepEP's kernels reach ~44.6 GB/s of real NIC payload
  // (docs/network.md), so it is slow by ~12 %: held to 15 %.
  const Ep64 e;
  const double pairs_per_gpu = e.unit.unique_token_nodes / 64.0;
  for (const auto& [kernel, bytes, published] :
       {std::tuple{DeepEpKernel::kDispatch, 7392.0, 51.0}, std::tuple{DeepEpKernel::kCombine, 14336.0, 50.0}}) {
    const auto t = deepep_pass_time(e.g, e.unit, 1.0, kernel, DeepEpPass::kForward, 7168, h800(24));
    const double rdma_gbps = pairs_per_gpu * bytes / t.total.seconds() / 1e9;
    EXPECT_NEAR(rdma_gbps / published, 1.0, 0.15) << rdma_gbps;
  }
}

TEST(DeepEpKernels, LowLatencyWithinEightPercentOfR25) {
  // R25 (February 2025, pure RDMA): 128 tokens per GPU, top-8, hidden 7168; dispatch messages of
  // 7408 B, combine 14,336 B. Model: (1 - 1/EP) x 128 x 8 x bytes / 40 GB/s + the IB latency (same leaf
  // 2.8 us inside one node, else cross leaf 3.7 us). E.g. EP64 dispatch: 63/64 x 7.586 MB / 40 GB/s
  // + 3.7 us = 190.4 us against 186 us published.
  const struct {
    int ep;
    double dispatch_us, combine_us;
  } published[] = {{8, 163, 318}, {16, 173, 329}, {32, 182, 350}, {64, 186, 353}, {128, 192, 369}, {256, 194, 360}};
  const Bandwidth nic = Bandwidth::gb_per_s(40);
  EXPECT_DOUBLE_EQ(deepep_low_latency_dispatch_bytes(7168), 7408);
  for (const auto& p : published) {
    const Time lat = p.ep <= 8 ? Time::ns(2800) : Time::ns(3700);
    const double d = deepep_low_latency_time(p.ep, 128, 8, deepep_low_latency_dispatch_bytes(7168), nic, lat).us_value();
    const double c = deepep_low_latency_time(p.ep, 128, 8, deepep_low_latency_combine_bytes(7168), nic, lat).us_value();
    EXPECT_NEAR(d / p.dispatch_us, 1.0, 0.08) << "EP" << p.ep << " dispatch " << d;
    EXPECT_NEAR(c / p.combine_us, 1.0, 0.08) << "EP" << p.ep << " combine " << c;
  }
  // Hand check, EP64 dispatch: 63/64 x 128 x 8 x 7408 B / 40 GB/s = 186.68 us, + 3.7 us.
  EXPECT_NEAR(deepep_low_latency_time(64, 128, 8, 7408, nic, Time::ns(3700)).us_value(),
              63.0 / 64 * 128 * 8 * 7408 / 40e9 * 1e6 + 3.7, 1e-3);
}

}  // namespace
}  // namespace deepsim

// GPU tests of the router (router.h) and the MoE permutation (moe_permute.h) against the CPU references.
// Skip with the reason when no Hopper GPU is present; outputs NaN/-1-poisoned (0xFF bytes) before each run.
// Router: expert indices must match the reference except where FP32 sigmoid ulps (device expf vs host exp)
// flip a near-tie: at most 0.5% of tokens, and every GPU row must still satisfy the invariants; gates within
// 1e-5 absolute (FP32 sum of 8 vs FP64). Permutation: integer outputs and copied rows exact; the weighted
// combine within one bf16 rounding (2^-8 relative) of the FP64 reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include "gpu_test_support.h"
#include "kernel_test_util.h"
#include "kernels/check.h"
#include "kernels/cpu_ref_layer.h"
#include "kernels/device_buffer.h"
#include "kernels/moe_permute.h"
#include "kernels/router.h"

namespace deepsim::kernels {
namespace {

using test::random_vector;
using test::round_bf16;
using test::to_bf16;
using test::to_float;

TEST(RouterGpu, GroupLimitedTopKMatchesReference) {
  DEEPSIM_REQUIRE_GPU();
  std::mt19937 rng(31);
  const RouterConfig cfg;  // DeepSeek-V3
  for (const int tokens : {1, 63, 4096}) {
    const auto logits = random_vector(static_cast<std::size_t>(tokens) * cfg.num_experts, rng, -4.f, 4.f);
    const auto bias = random_vector(static_cast<std::size_t>(cfg.num_experts), rng, -0.05f, 0.05f);
    const auto ref = router_reference(logits, bias, tokens, cfg);
    DeviceBuffer<float> d_logits(logits), d_bias(bias), gates(ref.topk_gate.size());
    DeviceBuffer<int32_t> idx(ref.topk_idx.size());
    gates.fill_bytes(0xFF);
    idx.fill_bytes(0xFF);
    RouterParams p;
    p.logits = d_logits.data();
    p.bias = d_bias.data();
    p.topk_idx = idx.data();
    p.topk_gate = gates.data();
    p.num_tokens = tokens;
    router_topk(p, nullptr);
    DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
    const auto got_idx = idx.download();
    const auto got_gate = gates.download();
    int mismatched = 0;
    const int group_size = cfg.num_experts / cfg.num_groups;
    for (int t = 0; t < tokens; ++t) {
      const std::size_t row = static_cast<std::size_t>(t) * cfg.top_k;
      std::set<int> experts, groups;
      double sum = 0.0;
      for (int k = 0; k < cfg.top_k; ++k) {
        experts.insert(got_idx[row + k]);
        groups.insert(got_idx[row + k] / group_size);
        sum += got_gate[row + k];
      }
      EXPECT_EQ(experts.size(), static_cast<std::size_t>(cfg.top_k));
      EXPECT_LE(groups.size(), static_cast<std::size_t>(cfg.limited_groups));
      EXPECT_NEAR(sum, cfg.route_scale, 1e-5);
      if (!std::equal(got_idx.begin() + static_cast<long>(row), got_idx.begin() + static_cast<long>(row + cfg.top_k),
                      ref.topk_idx.begin() + static_cast<long>(row))) {
        ++mismatched;
        continue;
      }
      for (int k = 0; k < cfg.top_k; ++k) EXPECT_NEAR(got_gate[row + k], ref.topk_gate[row + k], 1e-5);
    }
    EXPECT_LE(mismatched, tokens / 200) << "tokens " << tokens;
  }
}

// Distinct random experts per token, never expert 0 (so one expert has 0 rows).
std::vector<int32_t> random_topk(int tokens, int top_k, int experts, std::mt19937& rng) {
  std::vector<int32_t> all(static_cast<std::size_t>(experts) - 1);
  for (int e = 1; e < experts; ++e) all[e - 1] = e;
  std::vector<int32_t> topk(static_cast<std::size_t>(tokens) * top_k);
  for (int t = 0; t < tokens; ++t) {
    std::shuffle(all.begin(), all.end(), rng);
    std::copy_n(all.begin(), top_k, topk.begin() + static_cast<long>(t) * top_k);
  }
  return topk;
}

TEST(MoePermuteGpu, PermuteAndUnpermuteMatchReference) {
  DEEPSIM_REQUIRE_GPU();
  std::mt19937 rng(32);
  const int top_k = 8;
  const int experts = 256;
  struct Shape {
    int tokens;
    int hidden;
  };
  for (const Shape s : {Shape{1, 7168}, Shape{33, 7168}, Shape{1000, 256}}) {
    const auto topk = random_topk(s.tokens, top_k, experts, rng);
    const auto x = round_bf16(random_vector(static_cast<std::size_t>(s.tokens) * s.hidden, rng));
    const auto ref = moe_permute_reference(topk, x, s.tokens, top_k, experts, s.hidden);
    const std::size_t rows = static_cast<std::size_t>(s.tokens) * top_k;
    DeviceBuffer<int32_t> d_topk(topk), counts(experts), offsets(experts + 1), perm_row(rows), perm_token(rows);
    DeviceBuffer<int32_t> workspace(moe_permute_workspace_elems(s.tokens, experts));
    DeviceBuffer<__nv_bfloat16> d_x(to_bf16(x)), x_perm(rows * s.hidden);
    for (auto* b : {&counts, &offsets, &perm_row, &perm_token}) b->fill_bytes(0xFF);
    x_perm.fill_bytes(0xFF);
    MoePermuteParams p;
    p.topk_idx = d_topk.data();
    p.x = d_x.data();
    p.x_perm = x_perm.data();
    p.expert_counts = counts.data();
    p.expert_offsets = offsets.data();
    p.perm_row = perm_row.data();
    p.perm_token = perm_token.data();
    p.workspace = workspace.data();
    p.num_tokens = s.tokens;
    p.top_k = top_k;
    p.num_experts = experts;
    p.hidden = s.hidden;
    moe_permute(p, nullptr);
    DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
    EXPECT_EQ(counts.download(), ref.expert_counts) << "tokens " << s.tokens;
    EXPECT_EQ(offsets.download(), ref.expert_offsets);
    EXPECT_EQ(perm_row.download(), ref.perm_row);
    EXPECT_EQ(perm_token.download(), ref.perm_token);
    EXPECT_EQ(to_float(x_perm.download()), ref.x_perm);

    // Identity experts, unit gates: top_k * x exactly (8 equal bf16 terms sum exactly in FP32).
    const std::vector<float> unit(rows, 1.f);
    DeviceBuffer<float> d_gates(unit);
    DeviceBuffer<__nv_bfloat16> out(x.size());
    out.fill_bytes(0xFF);
    MoeUnpermuteParams u;
    u.y_perm = x_perm.data();
    u.perm_row = perm_row.data();
    u.gates = d_gates.data();
    u.out = out.data();
    u.num_tokens = s.tokens;
    u.top_k = top_k;
    u.hidden = s.hidden;
    moe_unpermute(u, nullptr);
    DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
    const auto back = to_float(out.download());
    for (std::size_t i = 0; i < x.size(); ++i) ASSERT_EQ(back[i], top_k * x[i]) << i;

    // Random gates against the FP64 reference.
    const auto gates = random_vector(rows, rng, 0.05f, 0.6f);
    d_gates.upload(gates);
    out.fill_bytes(0xFF);
    moe_unpermute(u, nullptr);
    DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
    const auto want = moe_unpermute_reference(ref.x_perm, ref.perm_row, gates, s.tokens, top_k, s.hidden);
    const auto got = to_float(out.download());
    for (std::size_t i = 0; i < got.size(); ++i)
      ASSERT_NEAR(got[i], want[i], std::ldexp(std::fabs(want[i]), -8) + 1e-6) << i;
  }
}

}  // namespace
}  // namespace deepsim::kernels

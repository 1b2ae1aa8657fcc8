// GPU tests of the MLA attention kernels (attention.h) against the CPU reference (cpu_ref_attention.h).
// Skip with the reason when no Hopper GPU is present. Outputs are NaN-poisoned before each run, so an
// unwritten element fails the finiteness built into rel_l2/max_abs_diff.
//
// Tolerances (BF16 in/out, FP32 accumulation):
//   o      : relative L2 error <= 1e-2. Inputs are identical (the reference gets the bf16-rounded values);
//            the error is P rounded to bf16 before P.V (~2^-9 relative per term) plus O's own rounding.
//   lse    : absolute <= 2e-3 (FP32 scores and sums; |lse| < 10 here).
//   dq/dk/dv: relative L2 error <= 2e-2: P and dS are rounded to bf16 before their products, and delta
//            uses the bf16 O, so the backward sees about twice the forward's rounding.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <random>
#include <stdexcept>
#include <vector>

#include "gpu_test_support.h"
#include "kernel_test_util.h"
#include "kernels/attention.h"
#include "kernels/check.h"
#include "kernels/cpu_ref_attention.h"
#include "kernels/device_buffer.h"

namespace deepsim::kernels {
namespace {

using test::random_vector;
using test::rel_l2;
using test::round_bf16;
using test::to_bf16;
using test::to_float;

struct Case {
  int batch;
  int seq_len;
  int heads;
};

// Ragged sequence lengths (not multiples of the 64-row tile) and the full 128 heads once.
const Case kCases[] = {{1, 1, 1}, {1, 63, 2}, {2, 129, 3}, {1, 1000, 1}, {1, 129, 128}};

void run_case(const Case& c, unsigned seed) {
  std::mt19937 rng(seed);
  AttentionRefShape s;
  s.batch = c.batch;
  s.seq_len = c.seq_len;
  s.heads = c.heads;
  s.softmax_scale = 1.f / std::sqrt(static_cast<float>(kMlaQkHeadDim));
  const std::size_t tokens = static_cast<std::size_t>(c.batch) * c.seq_len * c.heads;
  const auto q = round_bf16(random_vector(tokens * kMlaQkHeadDim, rng, -2.f, 2.f));
  const auto k = round_bf16(random_vector(tokens * kMlaQkHeadDim, rng, -2.f, 2.f));
  const auto v = round_bf16(random_vector(tokens * kMlaVHeadDim, rng));
  const auto dout = round_bf16(random_vector(tokens * kMlaVHeadDim, rng));

  DeviceBuffer<__nv_bfloat16> dq_in(to_bf16(q)), dk_in(to_bf16(k)), dv_in(to_bf16(v)), ddout(to_bf16(dout));
  DeviceBuffer<__nv_bfloat16> o(tokens * kMlaVHeadDim);
  DeviceBuffer<float> lse(static_cast<std::size_t>(c.batch) * c.heads * c.seq_len);
  o.fill_bytes(0xFF);
  lse.fill_bytes(0xFF);
  MlaAttentionFwdParams fp;
  fp.q = dq_in.data();
  fp.k = dk_in.data();
  fp.v = dv_in.data();
  fp.o = o.data();
  fp.lse = lse.data();
  fp.batch = c.batch;
  fp.seq_len = c.seq_len;
  fp.heads = c.heads;
  fp.softmax_scale = s.softmax_scale;
  mla_attention_forward(fp, nullptr);
  DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());

  const auto ref = attention_forward_reference(s, q, k, v);
  const auto o_gpu = to_float(o.download());
  EXPECT_LE(rel_l2(o_gpu, ref.o), 1e-2) << "o, seq " << c.seq_len << " heads " << c.heads;
  EXPECT_LE(test::max_abs_diff(lse.download(), ref.lse), 2e-3) << "lse, seq " << c.seq_len;

  DeviceBuffer<float> delta(lse.size());
  DeviceBuffer<__nv_bfloat16> dq(q.size()), dk(k.size()), dv(v.size());
  for (auto* b : {&dq, &dk, &dv}) b->fill_bytes(0xFF);
  delta.fill_bytes(0xFF);
  MlaAttentionBwdParams bp;
  bp.q = dq_in.data();
  bp.k = dk_in.data();
  bp.v = dv_in.data();
  bp.o = o.data();
  bp.dout = ddout.data();
  bp.lse = lse.data();
  bp.delta = delta.data();
  bp.dq = dq.data();
  bp.dk = dk.data();
  bp.dv = dv.data();
  bp.batch = c.batch;
  bp.seq_len = c.seq_len;
  bp.heads = c.heads;
  bp.softmax_scale = s.softmax_scale;
  mla_attention_backward(bp, nullptr);
  DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());

  const auto grads = attention_backward_reference(s, q, k, v, ref, dout);
  EXPECT_LE(rel_l2(to_float(dq.download()), grads.dq), 2e-2) << "dq, seq " << c.seq_len << " heads " << c.heads;
  EXPECT_LE(rel_l2(to_float(dk.download()), grads.dk), 2e-2) << "dk, seq " << c.seq_len << " heads " << c.heads;
  EXPECT_LE(rel_l2(to_float(dv.download()), grads.dv), 2e-2) << "dv, seq " << c.seq_len << " heads " << c.heads;
}

TEST(MlaAttentionGpu, ForwardAndBackwardMatchReferenceOnRaggedShapes) {
  DEEPSIM_REQUIRE_GPU();
  unsigned seed = 100;
  for (const Case& c : kCases) run_case(c, seed++);
}

TEST(MlaAttentionGpu, RejectsNullAndMisalignedTensors) {
  // Host-side validation throws before any launch, so this runs without a GPU too.
  MlaAttentionFwdParams p;
  p.batch = 1;
  p.seq_len = 1;
  p.heads = 1;
  EXPECT_THROW(mla_attention_forward(p, nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace deepsim::kernels

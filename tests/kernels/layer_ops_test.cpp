// GPU tests of RMSNorm, SwiGLU, cross-entropy and AdamW against the CPU references (cpu_ref_layer.h).
// Skip with the reason when no Hopper GPU is present; outputs NaN-poisoned (0xFF bytes) before each run.
// BF16 outputs are compared by relative L2 error <= 5e-3 (one bf16 rounding is <= 2^-9 = 2e-3 relative per
// element); FP32 outputs (rstd, dweight, loss, master weights) by the FP32 summation error stated per check.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "gpu_test_support.h"
#include "kernel_test_util.h"
#include "kernels/adamw.h"
#include "kernels/check.h"
#include "kernels/cpu_ref_layer.h"
#include "kernels/cross_entropy.h"
#include "kernels/device_buffer.h"
#include "kernels/rmsnorm.h"
#include "kernels/swiglu.h"

namespace deepsim::kernels {
namespace {

using test::random_vector;
using test::rel_l2;
using test::round_bf16;
using test::to_bf16;
using test::to_float;

constexpr double kBf16RelL2 = 5e-3;

// Packs rows of `width` values into rows of `stride` (the extra columns hold other random data).
std::vector<float> strided(const std::vector<float>& dense, int rows, int width, int stride, std::mt19937& rng) {
  auto out = random_vector(static_cast<std::size_t>(rows) * stride, rng);
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < width; ++j) out[static_cast<std::size_t>(r) * stride + j] = dense[static_cast<std::size_t>(r) * width + j];
  return out;
}

TEST(RmsNormGpu, ForwardAndBackwardMatchReference) {
  DEEPSIM_REQUIRE_GPU();
  std::mt19937 rng(41);
  struct Shape {
    int rows, hidden, stride;
  };
  // The kv latent read in place from the [T, 576] kv_a output, and the 7168-wide hidden state.
  for (const Shape s : {Shape{1, 512, 576}, Shape{63, 512, 576}, Shape{129, 7168, 7168}}) {
    const auto x = round_bf16(random_vector(static_cast<std::size_t>(s.rows) * s.hidden, rng, -3.f, 3.f));
    const auto w = round_bf16(random_vector(static_cast<std::size_t>(s.hidden), rng, 0.5f, 1.5f));
    const auto dy = round_bf16(random_vector(x.size(), rng));
    const auto ref = rmsnorm_forward_reference(x, w, s.rows, s.hidden, kRmsNormEps);
    std::vector<float> dx_ref, dw_ref;
    rmsnorm_backward_reference(x, w, dy, s.rows, s.hidden, kRmsNormEps, dx_ref, dw_ref);

    DeviceBuffer<__nv_bfloat16> d_x(to_bf16(strided(x, s.rows, s.hidden, s.stride, rng))), d_w(to_bf16(w));
    DeviceBuffer<__nv_bfloat16> d_dy(to_bf16(dy)), y(x.size()), dx(x.size());
    DeviceBuffer<float> rstd(static_cast<std::size_t>(s.rows)), dw(w.size());
    for (auto* b : {&y, &dx}) b->fill_bytes(0xFF);
    rstd.fill_bytes(0xFF);
    dw.fill_bytes(0xFF);
    RmsNormFwdParams fp;
    fp.x = d_x.data();
    fp.weight = d_w.data();
    fp.y = y.data();
    fp.rstd = rstd.data();
    fp.x_stride = s.stride;
    fp.y_stride = s.hidden;
    fp.rows = s.rows;
    fp.hidden = s.hidden;
    rmsnorm_forward(fp, nullptr);
    RmsNormBwdParams bp;
    bp.x = d_x.data();
    bp.weight = d_w.data();
    bp.dy = d_dy.data();
    bp.rstd = rstd.data();
    bp.dx = dx.data();
    bp.dweight = dw.data();
    bp.x_stride = s.stride;
    bp.dy_stride = s.hidden;
    bp.dx_stride = s.hidden;
    bp.rows = s.rows;
    bp.hidden = s.hidden;
    rmsnorm_backward(bp, nullptr);
    DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
    EXPECT_LE(rel_l2(to_float(y.download()), ref.y), kBf16RelL2) << s.rows << "x" << s.hidden;
    EXPECT_LE(rel_l2(rstd.download(), ref.rstd), 1e-5);  // FP32 sum of squares
    EXPECT_LE(rel_l2(to_float(dx.download()), dx_ref), kBf16RelL2);
    EXPECT_LE(rel_l2(dw.download(), dw_ref), 1e-4);  // FP32 sums over rows
  }
}

TEST(SwiGluGpu, ForwardAndBackwardMatchReference) {
  DEEPSIM_REQUIRE_GPU();
  std::mt19937 rng(42);
  for (const int rows : {1, 63, 129}) {
    const int cols = 2048;  // expert intermediate size; gate and up are the halves of one [rows, 4096] output
    const auto fused = round_bf16(random_vector(static_cast<std::size_t>(rows) * 2 * cols, rng, -4.f, 4.f));
    std::vector<float> g, u;
    for (int r = 0; r < rows; ++r)
      for (int j = 0; j < cols; ++j) {
        g.push_back(fused[static_cast<std::size_t>(r) * 2 * cols + j]);
        u.push_back(fused[static_cast<std::size_t>(r) * 2 * cols + cols + j]);
      }
    const auto dh = round_bf16(random_vector(g.size(), rng));
    const auto h_ref = swiglu_forward_reference(g, u);
    std::vector<float> dg_ref, du_ref;
    swiglu_backward_reference(g, u, dh, dg_ref, du_ref);
    DeviceBuffer<__nv_bfloat16> d_in(to_bf16(fused)), d_dh(to_bf16(dh)), h(g.size()), dg(g.size()), du(g.size());
    for (auto* b : {&h, &dg, &du}) b->fill_bytes(0xFF);
    SwiGluFwdParams fp;
    fp.gate = d_in.data();
    fp.up = d_in.data() + cols;
    fp.out = h.data();
    fp.in_stride = 2 * cols;
    fp.out_stride = cols;
    fp.rows = rows;
    fp.cols = cols;
    swiglu_forward(fp, nullptr);
    SwiGluBwdParams bp;
    bp.gate = fp.gate;
    bp.up = fp.up;
    bp.dout = d_dh.data();
    bp.dgate = dg.data();
    bp.dup = du.data();
    bp.in_stride = 2 * cols;
    bp.dout_stride = cols;
    bp.grad_stride = cols;
    bp.rows = rows;
    bp.cols = cols;
    swiglu_backward(bp, nullptr);
    DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
    EXPECT_LE(rel_l2(to_float(h.download()), h_ref), kBf16RelL2) << rows;
    EXPECT_LE(rel_l2(to_float(dg.download()), dg_ref), kBf16RelL2) << rows;
    EXPECT_LE(rel_l2(to_float(du.download()), du_ref), kBf16RelL2) << rows;
  }
}

TEST(CrossEntropyGpu, LossAndInPlaceGradientMatchReference) {
  DEEPSIM_REQUIRE_GPU();
  std::mt19937 rng(43);
  // Full vocabulary (vectorised path) and an odd vocabulary (scalar path); one ignored row each.
  for (const int vocab : {129280, 1001}) {
    const int rows = 3;
    const auto logits = round_bf16(random_vector(static_cast<std::size_t>(rows) * vocab, rng, -20.f, 20.f));
    const std::vector<int32_t> targets = {0, kCrossEntropyIgnore, vocab - 1};
    const float grad_scale = 0.5f;  // 1 / (non-ignored rows)
    std::vector<float> loss_ref, grad_ref;
    cross_entropy_reference(logits, targets, rows, vocab, grad_scale, loss_ref, grad_ref);
    DeviceBuffer<__nv_bfloat16> z(to_bf16(logits));
    DeviceBuffer<int32_t> d_t(targets);
    DeviceBuffer<float> loss(static_cast<std::size_t>(rows));
    loss.fill_bytes(0xFF);
    CrossEntropyParams p;
    p.logits = z.data();
    p.targets = d_t.data();
    p.loss = loss.data();
    p.rows = rows;
    p.vocab = vocab;
    p.grad_scale = grad_scale;
    cross_entropy_forward_backward(p, nullptr);
    DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
    // FP32 online sum of up to 129,280 terms: relative error ~1e-6 in the sum, so 1e-3 on a loss of ~20.
    EXPECT_LE(test::max_abs_diff(loss.download(), loss_ref), 1e-3) << "vocab " << vocab;
    EXPECT_LE(rel_l2(to_float(z.download()), grad_ref), 1e-2) << "vocab " << vocab;
  }
}

TEST(AdamWGpu, StepMatchesReference) {
  DEEPSIM_REQUIRE_GPU();
  std::mt19937 rng(44);
  const std::size_t n = 1000003;  // not a multiple of the block
  AdamWHyper h;
  h.lr = 2.2e-4f;
  h.step = 10;
  auto master = random_vector(n, rng);
  const auto grad = random_vector(n, rng, -1e-2f, 1e-2f);
  auto m = round_bf16(random_vector(n, rng, -1e-2f, 1e-2f));
  auto v = round_bf16(random_vector(n, rng, 1e-6f, 1e-4f));
  DeviceBuffer<float> d_master(master), d_grad(grad);
  DeviceBuffer<__nv_bfloat16> d_m(to_bf16(m)), d_v(to_bf16(v)), w_out(n);
  w_out.fill_bytes(0xFF);
  AdamWParams p;
  p.master = d_master.data();
  p.grad = d_grad.data();
  p.m = d_m.data();
  p.v = d_v.data();
  p.weight_out = w_out.data();
  p.n = static_cast<long>(n);
  p.lr = h.lr;
  p.beta1 = h.beta1;
  p.beta2 = h.beta2;
  p.eps = h.eps;
  p.weight_decay = h.weight_decay;
  p.step = h.step;
  adamw_step(p, nullptr);
  DEEPSIM_CUDA_CHECK(cudaDeviceSynchronize());
  adamw_reference(master, grad, m, v, h);
  const auto got_master = d_master.download();
  // |w| <= 1 and one FP32 update: a few ulps of 1 (1e-6 absolute).
  EXPECT_LE(test::max_abs_diff(got_master, master), 1e-6);
  EXPECT_LE(rel_l2(to_float(d_m.download()), m), kBf16RelL2);
  EXPECT_LE(rel_l2(to_float(d_v.download()), v), kBf16RelL2);
  EXPECT_EQ(to_float(w_out.download()), round_bf16(got_master));
}

}  // namespace
}  // namespace deepsim::kernels

// The CPU reference model's backward against central finite differences of its forward, tensor by tensor,
// on a tiny model with every parameter kind (MLA with q/kv compression, dense FFN, MoE with router, shared
// expert, MTP). Per tensor: a random direction u (entries N(0,1)), compare the analytic g.u with
//   (L(w + h u) - L(w - h u)) / 2h,   h = 2e-3 (norm weights, ~1) or 2e-3 * rms(w) (matrices),
// whose truncation error is O(h^2) and whose rounding noise is about 1e-7 * L / h (FP32 activations); and
// the three largest single entries of g the same way. The routing must not change under the perturbation
// (top-k is piecewise constant); a seed is chosen where it does not.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "runtime/cpu_model.h"
#include "runtime/rng.h"
#include "runtime/token_source.h"
#include "runtime_test_util.h"

namespace deepsim::runtime {
namespace {

constexpr float kInitStd = 0.2f;       // large enough that every path carries gradient at these sizes
constexpr float kMtpLambda = 0.3f;
constexpr double kStep = 2e-3;        // relative step of the central difference
constexpr double kRelTol = 5e-3;       // measured agreement is 1e-5 .. 2e-3 relative (FP32 activations)
constexpr double kAbsTol = 2e-5;       // entries whose gradient is ~0: rounding noise of the difference

MicroBatchTokens tiny_batch(const ModelConfig& m) {
  const TokenSource src(TokenSourceParams{m.vocab, 7, 0.3f, {}});
  constexpr int kSeqs = 2;
  constexpr int kSeq = 5;
  return MicroBatchTokens{src.batch(BatchAddress{0, 0, 0}, kSeqs, kSeq + 1 + m.mtp_depth), kSeqs, kSeq};
}

double rms(const float* w, std::size_t n) {
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i) s += static_cast<double>(w[i]) * w[i];
  return std::sqrt(s / static_cast<double>(n));
}

struct FdResult {
  double fd = 0.0;
  bool routing_same = true;
};

// Central difference of the loss along `dir` (length n at `w`).
FdResult central_difference(CpuModel& model, const MicroBatchTokens& mb, float* w, const std::vector<float>& dir,
                            double h, const std::vector<std::int32_t>& routing) {
  const std::vector<float> saved(w, w + dir.size());
  auto at = [&](double sign) {
    for (std::size_t i = 0; i < dir.size(); ++i) w[i] = static_cast<float>(saved[i] + sign * h * dir[i]);
    return model.forward_backward(mb, kMtpLambda, 1.0, false);
  };
  const CpuLoss plus = at(1.0);
  const CpuLoss minus = at(-1.0);
  std::copy(saved.begin(), saved.end(), w);
  return FdResult{(plus.loss - minus.loss) / (2.0 * h), plus.routing == routing && minus.routing == routing};
}

TEST(CpuModelGradient, EveryTensorMatchesCentralDifferences) {
  const ModelConfig m = test::tiny_fd_model();
  CpuModel model(m, 3, kInitStd);
  const MicroBatchTokens mb = tiny_batch(m);
  model.zero_grads();
  const CpuLoss base = model.forward_backward(mb, kMtpLambda, 1.0, true);
  ASSERT_GT(base.mtp, 0.0);
  ASSERT_FALSE(base.routing.empty());
  std::vector<float> grads[kParamGroups];
  for (int g = 0; g < kParamGroups; ++g) grads[g] = model.grads()[g];
  int checked = 0;
  for (const ParamEntry& e : model.layout().entries()) {
    SCOPED_TRACE(std::string(to_string(e.kind)) + " layer " + std::to_string(e.layer));
    float* w = model.params()[static_cast<int>(e.group)].data() + e.offset;
    const float* g = grads[static_cast<int>(e.group)].data() + e.offset;
    const double h = kStep * (e.is_norm ? 1.0 : rms(w, e.size()));
    // Directional check.
    Rng rng(mix_keys(11, static_cast<std::uint64_t>(checked)));
    std::vector<float> dir(e.size());
    double analytic = 0.0;
    for (std::size_t i = 0; i < dir.size(); ++i) {
      dir[i] = static_cast<float>(rng.normal());
      analytic += static_cast<double>(g[i]) * dir[i];
    }
    const FdResult fd = central_difference(model, mb, w, dir, h, base.routing);
    ASSERT_TRUE(fd.routing_same) << "perturbation changed the routing; pick another seed";
    EXPECT_NEAR(fd.fd, analytic, kRelTol * std::abs(analytic) + kAbsTol);
    // Largest single entries.
    std::vector<std::size_t> order(e.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    const std::size_t top = std::min<std::size_t>(3, order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top), order.end(),
                      [&](std::size_t a, std::size_t b) { return std::abs(g[a]) > std::abs(g[b]); });
    for (std::size_t j = 0; j < top; ++j) {
      std::vector<float> unit(e.size(), 0.f);
      unit[order[j]] = 1.f;
      const FdResult one = central_difference(model, mb, w, unit, h, base.routing);
      ASSERT_TRUE(one.routing_same);
      EXPECT_NEAR(one.fd, g[order[j]], kRelTol * std::abs(g[order[j]]) + kAbsTol) << "entry " << order[j];
    }
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(model.layout().entries().size()));
  EXPECT_GE(checked, 30);  // embed, 2 blocks (~11 tensors each), head, MTP: every kind is present
}

TEST(CpuModelGradient, GradWeightScalesGradientsLinearly) {
  const ModelConfig m = test::tiny_fd_model();
  CpuModel model(m, 3, kInitStd);
  const MicroBatchTokens mb = tiny_batch(m);
  model.zero_grads();
  (void)model.forward_backward(mb, kMtpLambda, 1.0, true);
  const std::vector<float> full = model.grads()[0];
  model.zero_grads();
  (void)model.forward_backward(mb, kMtpLambda, 0.5, true);
  (void)model.forward_backward(mb, kMtpLambda, 0.5, true);
  for (std::size_t i = 0; i < full.size(); ++i) ASSERT_NEAR(model.grads()[0][i], full[i], 1e-5 + 1e-4 * std::abs(full[i]));
}

TEST(CpuModelGradient, SameSeedSameLossDifferentSeedDifferentLoss) {
  const ModelConfig m = test::tiny_fd_model();
  CpuModel a(m, 3, kInitStd);
  CpuModel b(m, 3, kInitStd);
  CpuModel c(m, 4, kInitStd);
  const MicroBatchTokens mb = tiny_batch(m);
  const double la = a.forward_backward(mb, kMtpLambda, 1.0, false).loss;
  EXPECT_EQ(la, b.forward_backward(mb, kMtpLambda, 1.0, false).loss);
  EXPECT_NE(la, c.forward_backward(mb, kMtpLambda, 1.0, false).loss);
}

}  // namespace
}  // namespace deepsim::runtime

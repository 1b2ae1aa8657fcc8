// CPU references for RMSNorm, SwiGLU, cross-entropy and AdamW (cpu_ref_layer.h). FP64 sums.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "kernels/cpu_ref_layer.h"

namespace deepsim::kernels {
namespace {

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace

RmsNormRefResult rmsnorm_forward_reference(const std::vector<float>& x, const std::vector<float>& w, int rows,
                                           int hidden, float eps) {
  RmsNormRefResult r;
  r.y.resize(static_cast<std::size_t>(rows) * hidden);
  r.rstd.resize(static_cast<std::size_t>(rows));
  for (int t = 0; t < rows; ++t) {
    const float* xt = &x[static_cast<std::size_t>(t) * hidden];
    double sq = 0.0;
    for (int j = 0; j < hidden; ++j) sq += static_cast<double>(xt[j]) * xt[j];
    const double rstd = 1.0 / std::sqrt(sq / hidden + eps);
    r.rstd[t] = static_cast<float>(rstd);
    for (int j = 0; j < hidden; ++j) r.y[static_cast<std::size_t>(t) * hidden + j] = static_cast<float>(xt[j] * rstd * w[j]);
  }
  return r;
}

void rmsnorm_backward_reference(const std::vector<float>& x, const std::vector<float>& w,
                                const std::vector<float>& dy, int rows, int hidden, float eps,
                                std::vector<float>& dx, std::vector<float>& dw) {
  const RmsNormRefResult fwd = rmsnorm_forward_reference(x, w, rows, hidden, eps);
  dx.assign(static_cast<std::size_t>(rows) * hidden, 0.f);
  std::vector<double> dw_acc(static_cast<std::size_t>(hidden), 0.0);
  for (int t = 0; t < rows; ++t) {
    const std::size_t base = static_cast<std::size_t>(t) * hidden;
    const double rstd = fwd.rstd[t];
    double mean_gx = 0.0;  // mean over j of (w*dy)_j * xhat_j
    for (int j = 0; j < hidden; ++j) {
      const double xhat = x[base + j] * rstd;
      mean_gx += static_cast<double>(w[j]) * dy[base + j] * xhat;
      dw_acc[j] += dy[base + j] * xhat;
    }
    mean_gx /= hidden;
    for (int j = 0; j < hidden; ++j)
      dx[base + j] = static_cast<float>(rstd * (static_cast<double>(w[j]) * dy[base + j] - x[base + j] * rstd * mean_gx));
  }
  dw.assign(dw_acc.begin(), dw_acc.end());
}

std::vector<float> swiglu_forward_reference(const std::vector<float>& gate, const std::vector<float>& up) {
  std::vector<float> h(gate.size());
  for (std::size_t i = 0; i < gate.size(); ++i) h[i] = static_cast<float>(gate[i] * sigmoid(gate[i]) * up[i]);
  return h;
}

void swiglu_backward_reference(const std::vector<float>& gate, const std::vector<float>& up,
                               const std::vector<float>& dh, std::vector<float>& dgate, std::vector<float>& dup) {
  dgate.resize(gate.size());
  dup.resize(gate.size());
  for (std::size_t i = 0; i < gate.size(); ++i) {
    const double g = gate[i];
    const double sg = sigmoid(g);
    dgate[i] = static_cast<float>(dh[i] * up[i] * sg * (1.0 + g * (1.0 - sg)));
    dup[i] = static_cast<float>(dh[i] * g * sg);
  }
}

void cross_entropy_reference(const std::vector<float>& logits, const std::vector<int32_t>& targets, int rows,
                             int vocab, float grad_scale, std::vector<float>& loss, std::vector<float>& dlogits) {
  loss.assign(static_cast<std::size_t>(rows), 0.f);
  dlogits.assign(logits.size(), 0.f);
  for (int t = 0; t < rows; ++t) {
    if (targets[t] < 0) continue;
    const float* z = &logits[static_cast<std::size_t>(t) * vocab];
    double mx = -std::numeric_limits<double>::infinity();
    for (int j = 0; j < vocab; ++j) mx = std::max(mx, static_cast<double>(z[j]));
    double sum = 0.0;
    for (int j = 0; j < vocab; ++j) sum += std::exp(z[j] - mx);
    const double lse = mx + std::log(sum);
    loss[t] = static_cast<float>(lse - z[targets[t]]);
    for (int j = 0; j < vocab; ++j) {
      const double softmax = std::exp(z[j] - lse);
      dlogits[static_cast<std::size_t>(t) * vocab + j] =
          static_cast<float>(grad_scale * (softmax - (j == targets[t] ? 1.0 : 0.0)));
    }
  }
}

void adamw_reference(std::vector<float>& master, const std::vector<float>& grad, std::vector<float>& m,
                     std::vector<float>& v, const AdamWHyper& h) {
  const double bc1 = 1.0 - std::pow(static_cast<double>(h.beta1), h.step);
  const double bc2 = 1.0 - std::pow(static_cast<double>(h.beta2), h.step);
  for (std::size_t i = 0; i < master.size(); ++i) {
    const double g = grad[i];
    const double mi = h.beta1 * static_cast<double>(m[i]) + (1.0 - h.beta1) * g;
    const double vi = h.beta2 * static_cast<double>(v[i]) + (1.0 - h.beta2) * g * g;
    const double update = (mi / bc1) / (std::sqrt(vi / bc2) + h.eps);
    master[i] = static_cast<float>(master[i] * (1.0 - static_cast<double>(h.lr) * h.weight_decay) - h.lr * update);
    m[i] = static_cast<float>(mi);
    v[i] = static_cast<float>(vi);
  }
}

}  // namespace deepsim::kernels

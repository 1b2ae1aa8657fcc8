// CPU reference building blocks (see cpu_ops.h).
#include "runtime/cpu_ops.h"

#include <cstddef>

#include "kernels/cpu_ref_gemm.h"
#include "kernels/cpu_ref_layer.h"
#include "kernels/rmsnorm.h"

namespace deepsim::runtime::cpu {
namespace k = deepsim::kernels;

namespace {
Vec to_float(const std::vector<double>& d) { return Vec(d.begin(), d.end()); }
Vec copy_matrix(const float* w, long n) { return Vec(w, w + n); }
}  // namespace

Vec linear_forward(const Vec& x, const float* w, int tokens, int in, int out) {
  return to_float(k::gemm_nt_reference(x, copy_matrix(w, static_cast<long>(in) * out), tokens, out, in));
}

Vec linear_backward(const Vec& x, const Vec& dy, const float* w, float* dw, int tokens, int in, int out) {
  const Vec wt = k::transpose_reference(copy_matrix(w, static_cast<long>(in) * out), out, in);  // [in][out]
  Vec dx = to_float(k::gemm_nt_reference(dy, wt, tokens, in, out));
  if (dw != nullptr) {
    const Vec dyt = k::transpose_reference(dy, tokens, out);  // [out][T]
    const Vec xt = k::transpose_reference(x, tokens, in);     // [in][T]
    const std::vector<double> g = k::gemm_nt_reference(dyt, xt, out, in, tokens);
    for (std::size_t i = 0; i < g.size(); ++i) dw[i] += static_cast<float>(g[i]);
  }
  return dx;
}

Vec slice_cols(const Vec& x, int rows, int cols, int c0, int width) {
  Vec out(static_cast<std::size_t>(rows) * static_cast<std::size_t>(width));
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < width; ++c)
      out[static_cast<std::size_t>(r) * width + c] = x[static_cast<std::size_t>(r) * cols + c0 + c];
  return out;
}

void add_cols(Vec& x, int rows, int cols, int c0, int width, const Vec& part) {
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < width; ++c)
      x[static_cast<std::size_t>(r) * cols + c0 + c] += part[static_cast<std::size_t>(r) * width + c];
}

Vec rmsnorm_forward(const Vec& x, const float* w, int rows, int hidden) {
  return k::rmsnorm_forward_reference(x, Vec(w, w + hidden), rows, hidden, k::kRmsNormEps).y;
}

Vec rmsnorm_backward(const Vec& x, const float* w, const Vec& dy, float* dw, int rows, int hidden) {
  Vec dx;
  Vec dweight;
  k::rmsnorm_backward_reference(x, Vec(w, w + hidden), dy, rows, hidden, k::kRmsNormEps, dx, dweight);
  if (dw != nullptr)
    for (int i = 0; i < hidden; ++i) dw[i] += dweight[static_cast<std::size_t>(i)];
  return dx;
}

Vec embedding_forward(const float* table, const std::vector<std::int32_t>& tokens, int hidden) {
  Vec out(tokens.size() * static_cast<std::size_t>(hidden));
  for (std::size_t t = 0; t < tokens.size(); ++t)
    for (int c = 0; c < hidden; ++c)
      out[t * static_cast<std::size_t>(hidden) + c] = table[static_cast<std::size_t>(tokens[t]) * hidden + c];
  return out;
}

void embedding_backward(float* dtable, const std::vector<std::int32_t>& tokens, const Vec& dy, int hidden) {
  for (std::size_t t = 0; t < tokens.size(); ++t)
    for (int c = 0; c < hidden; ++c)
      dtable[static_cast<std::size_t>(tokens[t]) * hidden + c] += dy[t * static_cast<std::size_t>(hidden) + c];
}

void add_into(Vec& acc, const Vec& x) {
  for (std::size_t i = 0; i < acc.size(); ++i) acc[i] += x[i];
}

}  // namespace deepsim::runtime::cpu

// CPU reference GEMMs (cpu_ref_gemm.h): FP64 accumulation, so their own error (~1e-16 relative) is far below
// any tolerance the GPU tests use.
#include "kernels/cpu_ref_gemm.h"

#include <algorithm>
#include <cstddef>
#include <stdexcept>

namespace deepsim::kernels {
namespace {

constexpr int kRowBlock = 16;  // rows of A kept hot while a block of B streams by

std::size_t at(long r, long c, long ld) { return static_cast<std::size_t>(r) * static_cast<std::size_t>(ld) + static_cast<std::size_t>(c); }

}  // namespace

std::vector<double> gemm_nt_reference(const std::vector<float>& a, const std::vector<float>& b, int m, int n, int k) {
  if (m < 0 || n < 0 || k < 0 || a.size() != static_cast<std::size_t>(m) * k || b.size() != static_cast<std::size_t>(n) * k)
    throw std::invalid_argument("gemm_nt_reference: operand sizes do not match m, n, k");
  std::vector<double> c(static_cast<std::size_t>(m) * n, 0.0);
  std::vector<double> arow(static_cast<std::size_t>(kRowBlock) * k);
  for (long i0 = 0; i0 < m; i0 += kRowBlock) {
    const long i1 = std::min<long>(i0 + kRowBlock, m);
    for (long i = i0; i < i1; ++i)
      for (long p = 0; p < k; ++p) arow[at(i - i0, p, k)] = a[at(i, p, k)];
    for (long j = 0; j < n; ++j) {
      const float* bj = b.data() + at(j, 0, k);
      for (long i = i0; i < i1; ++i) {
        const double* ai = arow.data() + at(i - i0, 0, k);
        double s = 0.0;
        for (long p = 0; p < k; ++p) s += ai[p] * static_cast<double>(bj[p]);
        c[at(i, j, n)] = s;
      }
    }
  }
  return c;
}

std::vector<double> grouped_gemm_nt_reference(const std::vector<float>& a, const std::vector<float>& b,
                                              const std::vector<int>& offsets, int n, int k) {
  if (offsets.empty() || offsets.front() != 0) throw std::invalid_argument("grouped_gemm_nt_reference: offsets must start at 0");
  const long groups = static_cast<long>(offsets.size()) - 1;
  const long total = offsets.back();
  if (a.size() != static_cast<std::size_t>(total) * k || b.size() != static_cast<std::size_t>(groups) * n * k)
    throw std::invalid_argument("grouped_gemm_nt_reference: operand sizes do not match offsets, n, k");
  std::vector<double> c(static_cast<std::size_t>(total) * n, 0.0);
  for (long g = 0; g < groups; ++g) {
    const long r0 = offsets[g], r1 = offsets[g + 1];
    if (r1 < r0) throw std::invalid_argument("grouped_gemm_nt_reference: offsets must be non-decreasing");
    if (r1 == r0) continue;
    const std::vector<float> ag(a.begin() + static_cast<std::ptrdiff_t>(at(r0, 0, k)), a.begin() + static_cast<std::ptrdiff_t>(at(r1, 0, k)));
    const std::vector<float> bg(b.begin() + static_cast<std::ptrdiff_t>(at(g * n, 0, k)), b.begin() + static_cast<std::ptrdiff_t>(at((g + 1) * n, 0, k)));
    const auto cg = gemm_nt_reference(ag, bg, static_cast<int>(r1 - r0), n, k);
    std::copy(cg.begin(), cg.end(), c.begin() + static_cast<std::ptrdiff_t>(at(r0, 0, n)));
  }
  return c;
}

std::vector<float> transpose_reference(const std::vector<float>& x, int rows, int cols) {
  std::vector<float> t(x.size());
  for (long r = 0; r < rows; ++r)
    for (long c = 0; c < cols; ++c) t[at(c, r, rows)] = x[at(r, c, cols)];
  return t;
}

}  // namespace deepsim::kernels

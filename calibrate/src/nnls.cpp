#include "calibrate/src/nnls.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <vector>

#include "sim/core/error.h"

namespace deepsim::calib {

NnlsResult solve_nnls(const Eigen::MatrixXd& a, const Eigen::VectorXd& b) {
  const auto p = static_cast<int>(a.cols());
  DEEPSIM_ASSERT(p >= 1 && p <= 12, "solve_nnls enumerates subsets; keep it to a few columns");
  DEEPSIM_ASSERT(a.rows() == b.size(), "A and b disagree on the number of rows");
  // Scale columns to unit norm: features span 1 (launch) to 1e12 (FLOPs), and the solve should not care.
  Eigen::VectorXd scale = Eigen::VectorXd::Ones(p);
  for (int j = 0; j < p; ++j) {
    const double n = a.col(j).norm();
    if (n > 0) scale(j) = 1.0 / n;
  }
  const Eigen::MatrixXd as = a * scale.asDiagonal();

  std::vector<unsigned> subsets;
  for (unsigned s = 1; s < (1u << p); ++s) subsets.push_back(s);
  std::stable_sort(subsets.begin(), subsets.end(),
                   [](unsigned x, unsigned y) { return std::popcount(x) < std::popcount(y); });

  NnlsResult best{Eigen::VectorXd::Zero(p), b.norm()};  // c = 0 is always feasible
  for (unsigned s : subsets) {
    std::vector<int> cols;
    for (int j = 0; j < p; ++j)
      if ((s >> j) & 1u) cols.push_back(j);
    Eigen::MatrixXd sub(as.rows(), static_cast<Eigen::Index>(cols.size()));
    for (std::size_t i = 0; i < cols.size(); ++i) sub.col(static_cast<Eigen::Index>(i)) = as.col(cols[i]);
    const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(sub);
    if (qr.rank() < static_cast<Eigen::Index>(cols.size())) continue;  // a smaller subset covers it
    const Eigen::VectorXd y = qr.solve(b);
    if ((y.array() < 0).any()) continue;
    const double r = (sub * y - b).norm();
    // Strictly better by a relative margin, so rounding noise does not pick a larger subset.
    if (r < best.residual_norm * (1 - 1e-12)) {
      best.residual_norm = r;
      best.x.setZero();
      for (std::size_t i = 0; i < cols.size(); ++i) best.x(cols[i]) = y(static_cast<Eigen::Index>(i)) * scale(cols[i]);
    }
  }
  return best;
}

}  // namespace deepsim::calib

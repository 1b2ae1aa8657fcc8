// Non-negative least squares for the small systems calibration fits: min ||A c - b||_2 subject to c >= 0.
// With at most a handful of columns the exact answer is found by enumeration: the NNLS optimum is the
// unconstrained least-squares solution on its own set of positive coefficients, so solving every subset
// of columns and keeping the best feasible one finds it (2^p - 1 small solves; p <= 12 is enforced).
// Deterministic: ties go to the subset met first (fewer columns first, then lower column indices).
#pragma once

#include <Eigen/Dense>

namespace deepsim::calib {

struct NnlsResult {
  Eigen::VectorXd x;        // the coefficients, all >= 0
  double residual_norm = 0; // ||A x - b||_2
};

[[nodiscard]] NnlsResult solve_nnls(const Eigen::MatrixXd& a, const Eigen::VectorXd& b);

}  // namespace deepsim::calib

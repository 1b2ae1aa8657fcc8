#include "calibrate/src/kernel_sample.h"

namespace deepsim::calib {

OpWork gemm_work(OpFamily f, std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t groups) {
  const bool fp8 = is_fp8_family(f);
  const double in_bytes = fp8 ? 1.0 : 2.0;
  const double out_bytes = 2.0;  // BF16 output in both cases
  const auto g = static_cast<double>(groups), md = static_cast<double>(m), nd = static_cast<double>(n),
             kd = static_cast<double>(k);
  OpWork w;
  w.family = f;
  w.flops = Flops(2.0 * g * md * nd * kd);
  w.bytes = Bytes(g * ((md * kd + nd * kd) * in_bytes + md * nd * out_bytes));
  w.m = m;
  w.n = n;
  w.k = k;
  w.groups = groups;
  return w;
}

}  // namespace deepsim::calib

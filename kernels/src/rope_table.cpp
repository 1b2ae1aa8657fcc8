// Host-side cos/sin table for RoPE (rope.h), FP64 angles rounded once to FP32.
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "kernels/rope.h"

namespace deepsim::kernels {

std::vector<float> rope_cos_sin_table(int max_position, int rope_dim, double theta) {
  if (max_position <= 0 || rope_dim <= 0 || rope_dim % 2 != 0)
    throw std::invalid_argument("rope_cos_sin_table: max_position > 0 and an even rope_dim > 0 are required");
  const int pairs = rope_dim / 2;
  std::vector<float> table(static_cast<std::size_t>(max_position) * pairs * 2);
  for (int pos = 0; pos < max_position; ++pos) {
    for (int i = 0; i < pairs; ++i) {
      const double angle = pos * std::pow(theta, -2.0 * i / rope_dim);
      const std::size_t at = (static_cast<std::size_t>(pos) * pairs + i) * 2;
      table[at] = static_cast<float>(std::cos(angle));
      table[at + 1] = static_cast<float>(std::sin(angle));
    }
  }
  return table;
}

}  // namespace deepsim::kernels

#include "sim/model/model_spec.h"

namespace deepsim {

bool ModelSpec::is_moe_layer(int layer) const {
  if (!is_moe() || layer < moe.first_dense_layers) return false;
  return (layer - moe.first_dense_layers) % moe.moe_layer_freq == 0;
}

}  // namespace deepsim

// Which layers each pipeline stage runs. Rule: the embedding goes on the first stage, the final norm,
// output head, loss and MTP modules on the last; the transformer layers are split by count as evenly as
// possible, floor(L / pp) each, and the L mod pp extra layers go to the interior stages first (stage 1,
// 2, ...), because the two end stages already carry the embedding or the head and MTP; only when more
// extras remain than interior stages do stage 0 and then the last stage take one. DeepSeek-V3, 61 layers
// on 16 stages: stage 0 and stages 14 and 15 run 3 layers, stages 1..13 run 4.
#pragma once

#include <vector>

#include "sim/model/layer_ops.h"
#include "sim/model/model_spec.h"

namespace deepsim {

struct StageLayers {
  int stage = 0;
  int first_layer = 0;  // 0-based index of the first transformer layer
  int num_layers = 0;
  bool has_embedding = false;
  bool has_head = false;  // final norm, output head and loss
  bool has_mtp = false;   // the model's MTP modules (only when mtp_depth > 0)

  [[nodiscard]] int end_layer() const { return first_layer + num_layers; }
};

[[nodiscard]] std::vector<StageLayers> assign_layers(const ModelSpec& m, int pp);

// Every op the stage runs for one micro-batch, in forward order; names are prefixed "L<i>/" by layer.
[[nodiscard]] std::vector<Op> stage_ops(const ModelSpec& m, const StageLayers& s, const OpContext& c);

}  // namespace deepsim

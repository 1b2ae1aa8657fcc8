#include "sim/step/task_info.h"

#include <array>

namespace deepsim {

std::string_view to_string(StepOp op) {
  static constexpr std::array<std::string_view, kStepOpCount> names = {
      "",           "embed fwd",   "embed dgrad", "embed wgrad", "attn fwd", "attn dgrad", "attn wgrad",
      "moe fwd",    "moe dgrad",   "moe wgrad",   "ffn fwd",     "ffn dgrad", "ffn wgrad", "head fwd",
      "head dgrad", "head wgrad",  "wgrad",       "dispatch",    "combine",  "dispatch bwd", "combine bwd",
      "tp all-reduce", "tp reduce-scatter", "tp all-gather", "cp ring send",
      "send act",   "send grad",   "dp sync",     "optimizer"};
  return names[static_cast<std::size_t>(op)];
}

bool is_forward_compute(StepOp op) {
  return op == StepOp::kEmbedFwd || op == StepOp::kAttnFwd || op == StepOp::kMoeFwd || op == StepOp::kFfnFwd ||
         op == StepOp::kHeadFwd;
}

bool is_backward_compute(StepOp op) {
  switch (op) {
    case StepOp::kEmbedDgrad: case StepOp::kEmbedWgrad: case StepOp::kAttnDgrad: case StepOp::kAttnWgrad:
    case StepOp::kMoeDgrad: case StepOp::kMoeWgrad: case StepOp::kFfnDgrad: case StepOp::kFfnWgrad:
    case StepOp::kHeadDgrad: case StepOp::kHeadWgrad: case StepOp::kStageWgrad: return true;
    default: return false;
  }
}

}  // namespace deepsim

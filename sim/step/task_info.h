// What each task of a step graph is, for traces and reports: the op, from a small fixed set of names (so
// Perfetto groups the slices of every layer and micro-batch under one name), where it sits in the step
// (layer, micro-batch, pipeline stage, chunk) and the work it does (FLOPs, bytes moved).
#pragma once

#include <cstdint>
#include <string_view>

#include "sim/core/units.h"

namespace deepsim {

enum class StepOp : std::uint8_t {
  kNone,  // joins and barriers (zero-duration delays)
  kEmbedFwd, kEmbedDgrad, kEmbedWgrad,
  kAttnFwd, kAttnDgrad, kAttnWgrad,  // norms, projections, core attention, router
  kMoeFwd, kMoeDgrad, kMoeWgrad,     // shared experts, permute, grouped expert GEMMs
  kFfnFwd, kFfnDgrad, kFfnWgrad,     // dense FFN layers
  kHeadFwd, kHeadDgrad, kHeadWgrad,  // final norm, head, loss, MTP
  kStageWgrad,                       // a split backward's W: every weight gradient of the chunk
  kDispatch, kCombine, kDispatchBwd, kCombineBwd,
  kTpAllReduce, kTpReduceScatter, kTpAllGather,  // tensor-parallel collectives of a layer
  kCpRingSend,                                   // one step of a layer's CP ring (K/V, or K/V + dK/dV)
  kSendActivation, kSendGradient,
  kDpSync, kOptimizer,
};
inline constexpr std::size_t kStepOpCount = static_cast<std::size_t>(StepOp::kOptimizer) + 1;

// "attn fwd", "moe dgrad", "dispatch", "send act", ...
[[nodiscard]] std::string_view to_string(StepOp op);
// Forward compute holds a micro-batch's activations from its first forward op to its last backward op.
[[nodiscard]] bool is_forward_compute(StepOp op);
[[nodiscard]] bool is_backward_compute(StepOp op);

struct StepTaskInfo {
  StepOp op = StepOp::kNone;
  std::int32_t layer = -1;  // model layer (0-based), -1 for none
  std::int32_t mb = -1;     // micro-batch
  std::int32_t stage = -1;  // pipeline stage
  std::int32_t chunk = -1;  // the rank's chunk (DualPipe and interleaved schedules have two or more)
  Flops flops;              // compute: the pass's FLOPs
  Bytes bytes;              // sends: bytes on the wire
};

}  // namespace deepsim

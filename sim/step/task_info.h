// What each task of a step graph is, for traces and reports: the op, from a small fixed set of names (so
// Perfetto groups the slices of every layer and micro-batch under one name), where it sits in the step
// (layer, micro-batch, pipeline stage, chunk) and the work it does (FLOPs, bytes moved).
#pragma once

#include <cstdint>
#include <string>
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
  kEtpAllGather, kEtpReduceScatter,              // expert-TP collectives of an MoE layer (around its experts)
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

// StepTaskInfo::label_flags: what the op, layer, micro-batch and stage leave open in a task's label.
inline constexpr std::uint8_t kLabelMlp = 1;        // TP collective of the MLP block (else attention)
inline constexpr std::uint8_t kLabelBwd = 2;        // TP collective of the backward ("-bwd")
inline constexpr std::uint8_t kLabelRerun = 4;      // TP collective of a full recompute's forward ("-rerun")
inline constexpr std::uint8_t kLabelExpert = 8;     // DP sync of expert parameters (else dense)
inline constexpr std::uint8_t kLabelAllReduce = 16;  // DP sync: gradient all-reduce (ZeRO-0)
inline constexpr std::uint8_t kLabelAllGather = 32;  // DP sync: parameter all-gather (else gradient reduce-scatter)
inline constexpr std::uint8_t kLabelBucket = 64;     // DP sync of one gradient bucket (StepTaskInfo::bucket)
inline constexpr std::uint8_t kLabelPost = 128;      // attention ops after the core under CP (" post")

// StepTaskInfo::index of a TP all-gather: the backward's re-gather of a block's input under sequence
// parallelism (for its weight gradient), labelled "-regather".
inline constexpr std::uint16_t kTpRegather = 1;

// StepTaskInfo::ring: which CP ring a ring step or send belongs to ("kv": the forward, "kv-rerun": a
// full recompute's re-run forward, "kv-bwd": the backward's K/V + dK/dV).
enum class CpRingLabel : std::uint8_t { kNone, kKv, kKvRerun, kKvBwd };

struct StepTaskInfo {
  StepOp op = StepOp::kNone;
  std::uint8_t label_flags = 0;  // kLabel* (in the padding after `op`: the struct stays 40 bytes)
  std::uint16_t bucket = 0;      // DP bucket syncs: the bucket's index in its chunk
  std::int32_t layer = -1;  // model layer (0-based), -1 for none
  std::int32_t mb = -1;     // micro-batch
  std::int32_t stage = -1;  // pipeline stage
  std::int32_t chunk = -1;  // the rank's chunk (DualPipe and interleaved schedules have two or more)
  CpRingLabel ring = CpRingLabel::kNone;  // CP ring steps and sends (in the padding before `flops`)
  std::uint16_t index = 0;  // CP ring: the step; DP bucket syncs: 1 + the ZeRO-2 micro-batch (0: none);
                            // TP all-gathers: kTpRegather or 0
  Flops flops;              // compute: the pass's FLOPs
  Bytes bytes;              // sends: bytes on the wire
};

// A task's label ("attn L3 mb0 s1", "dispatch-bwd mb2 s0", "tp-ar mlp-bwd L3 mb0 s1", "etp-ag-bwd L3 mb0 s1",
// "send-act mb7",
// "dense grad reduce-scatter s1 bucket 0", "AdamW step"; "" for joins), rebuilt from its info only when
// a trace or timeline asks: building every chain's labels as strings cost more than the rest of the
// step graph (docs/performance.md, issue 17). Trace slices are named by to_string(op); the label is in
// their args, and timelines read the micro-batch from it.
[[nodiscard]] std::string step_task_label(const StepTaskInfo& info);

}  // namespace deepsim

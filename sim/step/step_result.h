// StepResult: what one simulated training step reports (docs/pipeline.md, docs/result-schema.md).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "sim/core/time.h"
#include "sim/core/units.h"
#include "sim/net/link.h"

namespace deepsim {

// Where a rank's time goes; the categories of the step's TaskGraph.
enum class StepCategory : std::uint32_t {
  kOther,
  kAttention,     // MLA/GQA projections, core attention, norms, router (per layer)
  kExperts,       // routed + shared experts or the dense FFN
  kEmbedHead,     // embedding, output head, loss, MTP module
  kWeightGrad,    // W instructions (zero-bubble split)
  kOptimizer,     // AdamW step
  kDispatch,      // MoE all-to-all dispatch
  kCombine,       // MoE all-to-all combine
  kPipelineP2P,   // activations and gradients between pipeline stages
  kDataParallel,  // ZeRO-1 gradient reduce-scatter and parameter all-gather
  kTensorParallel,  // a layer's TP all-reduces (or reduce-scatter + all-gather under sequence parallelism)
  kContextParallel,  // the CP ring's K/V (and dK/dV) sends of the attention layers
  kCount,
};
inline constexpr std::size_t kStepCategoryCount = static_cast<std::size_t>(StepCategory::kCount);
[[nodiscard]] const char* to_string(StepCategory c);
[[nodiscard]] bool is_communication(StepCategory c);

// The part of the step an instruction belongs to (per rank).
enum class StepPhase : std::uint32_t {
  kWarmup,      // forwards before the rank's first backward
  kSteady,      // F&B pairs and alternating F / B
  kCooldown,    // backwards after the rank's last forward
  kWeightGrad,  // W instructions
  kOptimizer,   // DP synchronisation and the optimizer step
  kCount,
};
inline constexpr std::size_t kStepPhaseCount = static_cast<std::size_t>(StepPhase::kCount);
[[nodiscard]] const char* to_string(StepPhase p);

// DeepSeek's own breakdown of a rank's step (the profile-data README and TR Figure 4: forward chunks,
// backward chunks, weight chunks, overlapped F&B pairs): where the rank's wall clock goes, by the kind of
// pipeline instruction running. An instruction runs from its first task's start to its last task's end
// (exposed all-to-alls inside it included; instructions of one rank never overlap, each waits for the
// previous one's end); the DP sync and optimizer after the last one are `optimizer`; every other instant
// (waiting on a receive, a pipeline send in flight with nothing to compute) is `bubble`. The parts sum
// to the step exactly.
enum class WallPart : std::uint8_t {
  kForward,     // F: forward-only chunks
  kBackward,    // B: backward-only chunks, full (input + weight) or input-only (zero-bubble split)
  kWeight,      // W: weight-gradient-only chunks
  kOverlapped,  // F&B: a forward and a backward chunk overlapped (DualPipe)
  kOptimizer,   // the data-parallel gradient sync and the optimizer step
  kBubble,      // none of the above
  kCount,
};
inline constexpr std::size_t kWallPartCount = static_cast<std::size_t>(WallPart::kCount);
// "forward", "backward", "weight", "overlapped", "optimizer", "bubble" (the result.json keys)
[[nodiscard]] const char* to_string(WallPart p);

struct RankResult {
  int rank = 0;                  // pipeline rank
  int gpu = 0;                   // global GPU id of the representative GPU
  Time busy;                     // compute stream busy
  Time idle;                     // step - busy
  Time exposed_comm;             // idle while this rank's communication was in flight
  Time bubble;                   // idle with no communication in flight: waiting on the pipeline
  Time exposed_dp;               // idle while a DP sync of this rank was in flight (part of exposed_comm)
  std::array<Time, kStepCategoryCount> by_category{};  // compute time and comm time by category
  std::array<Time, kStepPhaseCount> by_phase{};        // compute time by phase
  std::array<Time, kWallPartCount> wall{};             // wall clock by instruction kind; sums to the step
  Bytes peak_memory;             // weights + grads + optimizer + activations at the peak
  Bytes activation_peak;
};

struct LinkClassUse {
  LinkClass cls = LinkClass::kNvlink;
  int links = 0;                 // links of this class that carried traffic
  double bytes = 0;              // carried
  double mean_utilisation = 0;   // bytes / (capacity x step) averaged over the links that carried traffic
  double max_utilisation = 0;
};

// A stretch of one rank's track in the step timeline of the report where one kind of task filled most of
// the time, at the timeline's resolution (sim/step/step_timeline.h).
enum class TimelineKind : std::uint8_t {
  kForward, kBackward, kWeightGrad, kOptimizer,  // compute track
  kAllToAll, kPipelineSend, kDpSync,             // comm track
  kTensorParallel,                               // comm track: TP collectives (they block the compute stream)
  kContextParallel,                              // comm track: the CP ring's K/V sends
  kCount,
};
inline constexpr std::size_t kTimelineKindCount = static_cast<std::size_t>(TimelineKind::kCount);
[[nodiscard]] const char* to_string(TimelineKind k);

struct TimelineSpan {
  int rank = 0;
  bool comm = false;  // on the communication track
  TimelineKind kind = TimelineKind::kForward;
  Time start, end;
  int tasks = 1;      // tasks merged into it
};

// One op family the step's kernels were timed with: where its figures came from (a calibration profile's
// fit or the roofline default) and the ops (with their pass) it timed, so a report says what it assumed.
struct FamilySource {
  std::string family;            // "gemm_fp8", ... (to_string(OpFamily))
  bool from_profile = false;
  std::string source;            // in words (KernelModel::source)
  std::vector<std::string> ops;  // "mla.q_b fwd", "expert.gate_up wgrad", "optimizer.adamw fwd", ...
};

struct StepResult {
  Time step;                     // makespan of one step
  Time bubble;                   // max over ranks
  Time exposed_comm;             // max over ranks
  Time exposed_dp;               // max over ranks
  Time compute_busy;             // max over ranks
  std::vector<RankResult> ranks;
  std::array<Time, kStepPhaseCount> phase_time{};  // max over ranks of compute time per phase
  std::vector<LinkClassUse> links;
  std::uint64_t tasks = 0;
  std::uint64_t events = 0;
  std::string kernel_model;      // describe() of the kernel model used
  std::vector<FamilySource> kernel_sources;  // per op family used, in OpFamily order
  std::string fidelity;          // "representative pipeline" or "full"
  std::vector<std::string> notes;  // modelling choices that affect this result
  std::vector<TimelineSpan> timeline;  // per rank, in time order; empty when not simulated by the engine
};

}  // namespace deepsim

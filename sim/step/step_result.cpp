#include "sim/step/step_result.h"

namespace deepsim {

const char* to_string(StepCategory c) {
  switch (c) {
    case StepCategory::kOther: return "other";
    case StepCategory::kAttention: return "attention";
    case StepCategory::kExperts: return "experts";
    case StepCategory::kEmbedHead: return "embed_head";
    case StepCategory::kWeightGrad: return "weight_grad";
    case StepCategory::kOptimizer: return "optimizer";
    case StepCategory::kDispatch: return "dispatch";
    case StepCategory::kCombine: return "combine";
    case StepCategory::kPipelineP2P: return "pipeline_p2p";
    case StepCategory::kDataParallel: return "data_parallel";
    case StepCategory::kTensorParallel: return "tensor_parallel";
    case StepCategory::kContextParallel: return "context_parallel";
    case StepCategory::kCount: break;
  }
  return "?";
}

bool is_communication(StepCategory c) {
  return c == StepCategory::kDispatch || c == StepCategory::kCombine || c == StepCategory::kPipelineP2P ||
         c == StepCategory::kDataParallel || c == StepCategory::kTensorParallel || c == StepCategory::kContextParallel;
}

const char* to_string(StepPhase p) {
  switch (p) {
    case StepPhase::kWarmup: return "warmup_forward";
    case StepPhase::kSteady: return "steady";
    case StepPhase::kCooldown: return "cooldown_backward";
    case StepPhase::kWeightGrad: return "weight_grad";
    case StepPhase::kOptimizer: return "optimizer";
    case StepPhase::kCount: break;
  }
  return "?";
}

const char* to_string(WallPart p) {
  switch (p) {
    case WallPart::kForward: return "forward";
    case WallPart::kBackward: return "backward";
    case WallPart::kWeight: return "weight";
    case WallPart::kOverlapped: return "overlapped";
    case WallPart::kOptimizer: return "optimizer";
    case WallPart::kBubble: return "bubble";
    case WallPart::kCount: break;
  }
  return "?";
}

const char* to_string(TimelineKind k) {
  switch (k) {
    case TimelineKind::kForward: return "forward";
    case TimelineKind::kBackward: return "backward (input grad)";
    case TimelineKind::kWeightGrad: return "weight grad";
    case TimelineKind::kOptimizer: return "optimizer";
    case TimelineKind::kAllToAll: return "all-to-all";
    case TimelineKind::kPipelineSend: return "pipeline send";
    case TimelineKind::kDpSync: return "DP sync";
    case TimelineKind::kTensorParallel: return "TP collective";
    case TimelineKind::kContextParallel: return "CP ring";
    case TimelineKind::kCount: break;
  }
  return "?";
}

}  // namespace deepsim

#include "sim/parallel/pipeline_costs.h"

#include <algorithm>

namespace deepsim {

Time StageCosts::of(PipeOp op) const {
  switch (op) {
    case PipeOp::kForward: return forward;
    case PipeOp::kBackward: return backward();
    case PipeOp::kBackwardInput: return backward_input;
    case PipeOp::kBackwardWeight: return backward_weight;
    case PipeOp::kForwardBackward: return forward_backward;
    case PipeOp::kSendActivation:
    case PipeOp::kSendGradient: return send;
    case PipeOp::kRecvActivation:
    case PipeOp::kRecvGradient: return Time::zero();
  }
  return Time::zero();
}

StageCosts StageCosts::uniform(Time f, Time b_input, Time w) {
  return {f, b_input, w, f + b_input + w, Time::zero()};
}

Time PipelineTiming::max_bubble() const {
  return bubble.empty() ? Time::zero() : *std::max_element(bubble.begin(), bubble.end());
}

Time PipelineTiming::min_bubble() const {
  return bubble.empty() ? Time::zero() : *std::min_element(bubble.begin(), bubble.end());
}

}  // namespace deepsim

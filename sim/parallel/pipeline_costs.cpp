#include "sim/parallel/pipeline_costs.h"

#include <algorithm>

namespace deepsim {

Time StageCosts::of(Op op) const {
  switch (op) {
    case Op::kForward: return forward;
    case Op::kBackward: return backward();
    case Op::kBackwardInput: return backward_input;
    case Op::kBackwardWeight: return backward_weight;
    case Op::kForwardBackward: return forward_backward;
    case Op::kSendActivation:
    case Op::kSendGradient: return send;
    case Op::kRecvActivation:
    case Op::kRecvGradient: return Time::zero();
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

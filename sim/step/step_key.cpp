#include "sim/step/step_key.h"

namespace deepsim {

StepKey::StepKey(const Scenario& s) : step_view_(s) {
  Scenario& v = step_view_;
  v.name.clear();
  v.sources.reset();  // where keys came from, not what they say
  v.training.tokens = 0;
  v.training.global_batch = 0;
  v.training.ramp = {};
  v.pricing = {};
  v.ownership = {};
  v.context_extension = {};
  v.post_training = {};
  v.failures = {};
  v.forecast = {};
}

}  // namespace deepsim

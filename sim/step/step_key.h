// StepKey: the identity of one simulated step, taken from the resolved scenario, not from its YAML.
//
// simulate_step reads the cluster, the model, the parallel plan, the sequence length, precision and
// recompute, the MoE load model, the kernel calibration, the fidelity and the seed. It does not read the
// run's length, batch ramp, global batch, the key positions of error messages (the micro-batch count carries it), prices, failures or later
// phases. The key is the scenario with those fields reset, compared field by field (defaulted ==), so
// two scenarios with equal keys simulate to the same StepResult. A field added to Scenario later is part
// of the key until it is listed here as not read by the step: a missed reuse, never a wrong one.
#pragma once

#include "sim/scenario/scenario.h"

namespace deepsim {

class StepKey {
 public:
  explicit StepKey(const Scenario& s);
  bool operator==(const StepKey&) const = default;

 private:
  Scenario step_view_;
};

}  // namespace deepsim

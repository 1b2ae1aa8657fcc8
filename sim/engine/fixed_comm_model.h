// FixedCommModel: every comm op of a kind takes the same duration, whatever its bytes and group. For
// tests and benchmarks of graph builders and schedules that need communication of known length without
// a fabric (the step graph's overlap tests, the step benchmark); the simulator uses the models of sim/net.
#pragma once

#include <array>

#include "sim/engine/comm_model.h"

namespace deepsim {

class FixedCommModel final : public CommModel {
 public:
  FixedCommModel() = default;
  explicit FixedCommModel(Time every) { durations_.fill(every); }
  FixedCommModel& set(CommKind k, Time t) {
    durations_[static_cast<std::size_t>(k)] = t;
    return *this;
  }
  void plan(const CommOp& op, std::span<const std::int32_t> /*members*/, Plan& out) override {
    out.duration = durations_[static_cast<std::size_t>(op.kind)];
  }

 private:
  std::array<Time, kCommKindCount> durations_{};
};

}  // namespace deepsim

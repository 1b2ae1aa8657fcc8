// FlowModel: the narrow interface through which the engine drives a network model. The engine starts
// a flow when its latency has passed, finishes it when its completion event comes, and once per
// instant calls settle() to learn which flows' finish times moved. Completions are versioned: a flow
// re-timed since an event was scheduled no longer matches that event's version.
// The max-min fair model (sim/net/flow_network.h) implements it; the engine core depends only on this
// header, which keeps sim/engine below sim/net in the module graph.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/core/ids.h"
#include "sim/core/time.h"
#include "sim/core/units.h"

namespace deepsim {

class FlowModel {
 public:
  using Handle = std::uint32_t;

  // A flow whose finish time changed at the last settle().
  struct Update {
    Handle flow;
    Time finish;  // Time::max(): never (the engine reports it instead of waiting)
    std::uint32_t version;
  };

  FlowModel() = default;
  FlowModel(const FlowModel&) = delete;
  FlowModel& operator=(const FlowModel&) = delete;
  virtual ~FlowModel() = default;

  // Puts `bytes` (> 0) on `path` (non-empty) at `now`; the path must outlive the flow.
  [[nodiscard]] virtual Handle start(Time now, std::span<const LinkId> path, Bytes bytes) = 0;
  // Removes a flow whose completion came.
  virtual void finish(Time now, Handle flow) = 0;
  // Re-times what start()/finish() changed since the last call; appends the flows whose finish moved.
  virtual void settle(Time now, std::vector<Update>& updates) = 0;
  // Whether a completion scheduled for `flow` with `version` is still the flow's current one.
  [[nodiscard]] virtual bool current(Handle flow, std::uint32_t version) const = 0;
  // An active flow's rate since the last settle() (0 before its first); for the link-use timeline.
  [[nodiscard]] virtual Bandwidth rate(Handle flow) const = 0;

  [[nodiscard]] virtual std::size_t link_count() const = 0;
  // Bytes carried per link by finished flows, and time each link carried at least one flow up to `now`.
  [[nodiscard]] virtual std::vector<double> link_bytes() const = 0;
  [[nodiscard]] virtual std::vector<Time> link_busy(Time now) const = 0;

 protected:
  FlowModel(FlowModel&&) = default;
  FlowModel& operator=(FlowModel&&) = default;
};

}  // namespace deepsim

// FlowCommModel: `simulation.network: flow`. Every comm op runs its algorithm (collective_plan.h) as
// rounds of flows on the engine's max-min network: each step of a ring is a round (every flow of the
// step, after the step's latency; the next step starts when the slowest flow of this one is done), an
// all-to-all one round of per-GPU streams. The flows share links with everything else in flight
// (pipeline sends, other collectives, other EP groups' all-to-alls), so contention slows them; alone on
// an idle symmetric fabric they take the analytic closed form (to the picosecond per step).
// Ignored (by a flow model): packets, congestion control, NCCL's chunk pipelining inside a step (a
// step's flows start together and the step ends with the slowest), switch buffers; inside an
// all-to-all, the pairing of particular senders and receivers (streams are per GPU and direction).
#pragma once

#include "sim/engine/comm_model.h"
#include "sim/net/collective_plan.h"

namespace deepsim {

class FlowCommModel final : public CommModel {
 public:
  explicit FlowCommModel(CollectivePlanner& planner) : planner_(planner) {}

  void plan(const CommOp& op, std::span<const std::int32_t> members, Plan& out) override;
  // Flows count their own link use in the flow model; nothing is timed here as a duration.

  [[nodiscard]] std::uint64_t flows_planned() const { return flows_; }

 private:
  CollectivePlanner& planner_;
  std::uint64_t flows_ = 0;
};

}  // namespace deepsim

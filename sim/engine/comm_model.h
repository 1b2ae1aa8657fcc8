// CommModel: the narrow interface through which the engine times communication tasks (comm_op.h).
// When a comm task starts, the engine asks the model for a plan and runs it:
//  - a closed form: a fixed duration (the analytic model, sim/net/analytic_comm_model.h); the model
//    keeps the link use of what it timed itself and reports it through link_bytes()/link_busy(), and
//    says what the op moves over each link (Plan::link_share), which the engine spreads evenly over the
//    duration when it records link use over time (link_use_timeline.h);
//  - rounds of flows on the engine's FlowModel (the flow model, sim/net/flow_comm_model.h): round k's
//    flows start together after its latency, once every flow of round k-1 has finished, and share the
//    links max-min fairly with every other flow in the network (pipeline sends, other collectives).
// The engine holds the op's SMs from start to end either way. The model sees the members' GPU ids; it
// maps them to links itself, so the engine needs no network headers.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "sim/core/ids.h"
#include "sim/core/time.h"
#include "sim/core/units.h"
#include "sim/engine/comm_op.h"

namespace deepsim {

class CommModel {
 public:
  struct FlowSpec {
    std::span<const LinkId> path;  // owned by the model; must outlive the run
    Bytes bytes;
  };
  struct Round {
    Time latency;  // charged before the round's flows start (a ring step's per-hop latency)
    std::vector<FlowSpec> flows;
  };
  struct Plan {
    Time duration;              // when `rounds` is empty: the op takes this long
    std::vector<Round> rounds;  // otherwise: run in order
    // Rounds plans: the op ends no earlier than this long after its start (a kernel bound beside the
    // flows, e.g. DeepEP's SM copies; zero: none).
    Time floor;
    // Duration plans: the bytes each link carries per byte of `share_bytes` over the whole op (owned by
    // the model; must outlive the run, unchanged: a link-use timeline keeps its per-channel sums by the
    // span's address). Empty: the op's link use is not known over time.
    std::span<const std::pair<LinkId, double>> link_share{};
    Bytes share_bytes;
  };

  CommModel() = default;
  CommModel(const CommModel&) = delete;
  CommModel& operator=(const CommModel&) = delete;
  virtual ~CommModel() = default;

  // Fills `out` (cleared by the caller) for `op` over `members` (global GPU ids).
  virtual void plan(const CommOp& op, std::span<const std::int32_t> members, Plan& out) = 0;
  // Link use of the ops the model timed as durations: bytes carried per LinkId (empty if none) and the
  // time each link needed for them (bytes / capacity, summed).
  [[nodiscard]] virtual std::vector<double> link_bytes() const { return {}; }
  [[nodiscard]] virtual std::vector<Time> link_busy() const { return {}; }

 protected:
  CommModel(CommModel&&) = default;
  CommModel& operator=(CommModel&&) = default;
};

}  // namespace deepsim

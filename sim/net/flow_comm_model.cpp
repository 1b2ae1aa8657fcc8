#include "sim/net/flow_comm_model.h"

namespace deepsim {

void FlowCommModel::plan(const CommOp& op, std::span<const std::int32_t> members, Plan& out) {
  const CommShape& s = planner_.shape(op, members);
  const double bytes = op.bytes.value();
  for (const CommPhase& p : s.phases) {
    for (int step = 0; step < p.steps; ++step) {
      Round& r = out.rounds.emplace_back();
      r.latency = p.alpha;
      r.flows.reserve(p.routes.size());
      for (std::size_t i = 0; i < p.routes.size(); ++i)
        r.flows.push_back({planner_.route(p.routes[i]), Bytes(bytes * p.share[i])});
      flows_ += p.routes.size();
    }
  }
  // An op with nothing to move (a group of one) takes no time.
  out.duration = Time::zero();
}

}  // namespace deepsim

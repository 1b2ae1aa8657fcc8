#include "sim/net/flow_comm_model.h"

#include <algorithm>

#include "sim/net/analytic_comm_model.h"

namespace deepsim {

void FlowCommModel::plan(const CommOp& op, std::span<const std::int32_t> members, Plan& out) {
  const CommShape& s = planner_.shape(op, members);
  // Under an NCCL protocol (the analytic pick at this size, so both models run the same protocol) the
  // flows carry bytes / efficiency (the protocol's wire bytes: LL's flags, LL128's 8 of 128) and its
  // latency, split evenly over the rounds (the first rounds take the picoseconds left over), replaces the
  // paths' latencies.
  const ProtocolPick pick = pick_protocol(op.kind, s, op.bytes);
  const double bytes = op.bytes.value() / pick.efficiency();
  const std::int64_t rounds = std::max(1, s.rounds);
  const std::int64_t lat_ps = pick.floor != nullptr ? pick.floor->latency.count_ps() : 0;
  std::int64_t round = 0;
  for (const CommPhase& p : s.phases) {
    for (int step = 0; step < p.steps; ++step, ++round) {
      Round& r = out.rounds.emplace_back();
      r.latency = pick.floor == nullptr ? p.alpha : Time::ps(lat_ps / rounds + (round < lat_ps % rounds ? 1 : 0));
      r.flows.reserve(p.routes.size());
      for (std::size_t i = 0; i < p.routes.size(); ++i)
        r.flows.push_back({planner_.route(p.routes[i]), Bytes(bytes * p.share[i])});
      flows_ += p.routes.size();
    }
  }
  // DeepEP's normal kernels: the notify kernel before the first round, the SMs' copies as a floor
  // beside the flows (the op ends no earlier than notify + copies).
  if (s.deepep == DeepEpKernels::kNormal && !out.rounds.empty()) {
    const DeepEpFloor f = planner_.deepep_floor(op, s);
    out.rounds.front().latency += f.notify;
    out.floor = f.sm_copies > Time::zero() ? f.notify + f.sm_copies : Time::zero();
  }
  // An op with nothing to move (a group of one) takes no time.
  out.duration = Time::zero();
}

}  // namespace deepsim

// In-order execution of a schedule with infinite resources: the reference executor behind the checker's
// deadlock test and the cross-check of the engine-based one (schedule_graph.h).
#include <algorithm>
#include <sstream>
#include <tuple>

#include "sim/parallel/schedule_check.h"

namespace deepsim {

namespace {

struct RankState {
  std::size_t next = 0;
  Time clock;    // when the rank's last compute finished
  Time arrival;  // latest arrival among receives since that compute
  Time busy;
};

// Arrival times by hop, in a flat table: (gradient?, micro-batch, stage position) -> slot. The plan
// search runs this once per candidate plan, so no map.
class Arrivals {
 public:
  // Positions run from -1 (a receive before the first stage) to the stage count: stages + 2 slots.
  explicit Arrivals(const Schedule& s)
      : slots_(s.routes.front().size() + 2), mbs_(s.route_of_mb.size()), at_(2 * mbs_ * slots_, Time::max()) {}
  Time& operator[](const HopKey& h) {
    const auto [grad, mb, pos] = h;
    return at_[((grad ? mbs_ : 0) + static_cast<std::size_t>(mb)) * slots_ + static_cast<std::size_t>(pos + 1)];
  }

 private:
  std::size_t slots_, mbs_;
  std::vector<Time> at_;
};

// Runs rank r as far as it can; returns whether it advanced.
bool advance(const Schedule& s, const InstrCost& cost, int r, RankState& st, Arrivals& arrived) {
  const auto& list = s.program[static_cast<std::size_t>(r)];
  bool moved = false;
  for (; st.next < list.size(); ++st.next, moved = true) {
    const Instr& in = list[st.next];
    if (in.op == PipeOp::kSendActivation || in.op == PipeOp::kSendGradient) {
      arrived[hop_of(s, r, in)] = st.clock + cost(r, in);
    } else if (in.op == PipeOp::kRecvActivation || in.op == PipeOp::kRecvGradient) {
      const Time at = arrived[hop_of(s, r, in)];
      if (at == Time::max()) break;  // blocked until the sender gets there
      st.arrival = max(st.arrival, at);
    } else {
      const Time start = max(st.clock, st.arrival);
      const Time took = cost(r, in);
      st.clock = start + took;
      st.busy += took;
    }
  }
  return moved;
}

}  // namespace

Result<PipelineTiming> simulate_in_order(const Schedule& s, const StageCosts& costs) {
  return simulate_in_order(s, [&costs](int, const Instr& in) { return costs.of(in.op); });
}

Result<PipelineTiming> simulate_in_order(const Schedule& s, const InstrCost& cost) {
  std::vector<RankState> ranks(static_cast<std::size_t>(s.ranks));
  Arrivals arrived(s);
  for (bool moved = true; moved;) {
    moved = false;
    for (int r = 0; r < s.ranks; ++r) moved = advance(s, cost, r, ranks[static_cast<std::size_t>(r)], arrived) || moved;
  }
  std::ostringstream blocked;
  for (int r = 0; r < s.ranks; ++r) {
    const auto& list = s.program[static_cast<std::size_t>(r)];
    const std::size_t next = ranks[static_cast<std::size_t>(r)].next;
    if (next < list.size()) {
      blocked << " rank " << r << " at instruction " << next << " (" << to_string(list[next].op) << " mb "
              << list[next].piece.mb << " from rank " << list[next].peer << ");";
    }
  }
  if (!blocked.str().empty()) return PlanError{"deadlock:" + blocked.str()};
  PipelineTiming t;
  for (const RankState& st : ranks) t.step = max(t.step, st.clock);
  for (const RankState& st : ranks) {
    t.busy.push_back(st.busy);
    t.bubble.push_back(t.step - st.busy);
  }
  return t;
}

}  // namespace deepsim

// In-order execution of a schedule with infinite resources: the reference executor behind the checker's
// deadlock test and the cross-check of the engine-based one (schedule_graph.h).
#include <algorithm>
#include <map>
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

// Runs rank r as far as it can; returns whether it advanced.
bool advance(const Schedule& s, const StageCosts& costs, int r, RankState& st, std::map<HopKey, Time>& arrived) {
  const auto& list = s.program[static_cast<std::size_t>(r)];
  bool moved = false;
  for (; st.next < list.size(); ++st.next, moved = true) {
    const Instr& in = list[st.next];
    if (in.op == PipeOp::kSendActivation || in.op == PipeOp::kSendGradient) {
      arrived[hop_of(s, r, in)] = st.clock + costs.send;
    } else if (in.op == PipeOp::kRecvActivation || in.op == PipeOp::kRecvGradient) {
      const auto it = arrived.find(hop_of(s, r, in));
      if (it == arrived.end()) break;  // blocked until the sender gets there
      st.arrival = max(st.arrival, it->second);
    } else {
      const Time start = max(st.clock, st.arrival);
      st.clock = start + costs.of(in.op);
      st.busy += costs.of(in.op);
    }
  }
  return moved;
}

}  // namespace

Result<PipelineTiming> simulate_in_order(const Schedule& s, const StageCosts& costs) {
  std::vector<RankState> ranks(static_cast<std::size_t>(s.ranks));
  std::map<HopKey, Time> arrived;
  for (bool moved = true; moved;) {
    moved = false;
    for (int r = 0; r < s.ranks; ++r) moved = advance(s, costs, r, ranks[static_cast<std::size_t>(r)], arrived) || moved;
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

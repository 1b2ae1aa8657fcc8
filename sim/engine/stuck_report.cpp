// describe_stuck(): cycle search among the tasks that never became ready, and a short listing.
#include "sim/engine/stuck_report.h"

#include <algorithm>
#include <sstream>
#include <utility>
#include <vector>

namespace deepsim {

namespace {

constexpr std::size_t kMaxListed = 8;  // enough to locate the problem without flooding the message

std::string name(const TaskGraph& graph, TaskId id) {
  const Task& t = graph.task(id);
  std::string out = "task " + std::to_string(id.value());
  if (t.label != 0 && t.label < graph.labels().size()) out += " '" + graph.labels()[t.label] + "'";
  return out;
}

// Depth-first search restricted to waiting tasks; a back edge closes a cycle. A cycle can only consist
// of waiting tasks, since each of its tasks waits for the one before it. Returns the cycle, or empty.
std::vector<TaskId> find_cycle(const TaskGraph& graph, std::span<const TaskState> state) {
  enum : std::uint8_t { kWhite, kGrey, kBlack };
  std::vector<std::uint8_t> colour(graph.size(), kWhite);
  std::vector<std::pair<TaskId, std::size_t>> stack;  // (task, index of the next successor to try)
  for (std::size_t root = 0; root < graph.size(); ++root) {
    if (state[root] != TaskState::kWaiting || colour[root] != kWhite) continue;
    stack.emplace_back(TaskId(static_cast<TaskId::rep>(root)), 0);
    colour[root] = kGrey;
    while (!stack.empty()) {
      auto& [task, next] = stack.back();
      const auto succ = graph.successors(task);
      if (next == succ.size()) {
        colour[task.value()] = kBlack;
        stack.pop_back();
        continue;
      }
      const TaskId s = succ[next++];
      if (state[s.value()] != TaskState::kWaiting || colour[s.value()] == kBlack) continue;
      if (colour[s.value()] == kGrey) {
        std::vector<TaskId> cycle;
        auto it = std::find_if(stack.begin(), stack.end(), [s](const auto& e) { return e.first == s; });
        for (; it != stack.end(); ++it) cycle.push_back(it->first);
        return cycle;
      }
      colour[s.value()] = kGrey;
      stack.emplace_back(s, 0);
    }
  }
  return {};
}

std::string why_running_forever(const Task& t) {
  return t.kind == TaskKind::kFlow ? "flow rate is 0 (a zero-capacity link on its path?)"
                                   : "its GPU has no free SMs (communication holds them all)";
}

}  // namespace

std::string describe_stuck(const TaskGraph& graph, std::span<const TaskState> state) {
  std::ostringstream out;
  const auto unfinished = std::count_if(state.begin(), state.end(), [](TaskState s) { return s != TaskState::kDone; });
  out << "engine: " << unfinished << " of " << graph.size() << " tasks never finished";
  const std::vector<TaskId> cycle = find_cycle(graph, state);
  if (!cycle.empty()) {
    out << "; dependency cycle: ";
    for (const TaskId id : cycle) out << name(graph, id) << " -> ";
    out << name(graph, cycle.front());
  }
  std::size_t listed = 0;
  for (std::size_t i = 0; i < graph.size() && listed < kMaxListed; ++i) {
    if (state[i] != TaskState::kRunning) continue;
    const TaskId id(static_cast<TaskId::rep>(i));
    out << (listed++ == 0 ? "; started but never ending: " : ", ") << name(graph, id) << " ("
        << why_running_forever(graph.task(id)) << ")";
  }
  listed = 0;
  for (std::size_t i = 0; i < graph.size() && listed < kMaxListed; ++i) {
    if (state[i] != TaskState::kWaiting && state[i] != TaskState::kQueued) continue;
    out << (listed++ == 0 ? "; never started: " : ", ") << name(graph, TaskId(static_cast<TaskId::rep>(i)));
  }
  return out.str();
}

}  // namespace deepsim

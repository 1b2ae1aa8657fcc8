// What the engine says when a run ends with tasks that never finished: a dependency cycle (found and
// printed as a chain), tasks that started but can never end (a flow with rate 0, compute with no free
// SMs), and tasks left waiting behind them. The engine throws this text as an InternalError.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "sim/engine/task_graph.h"

namespace deepsim {

enum class TaskState : std::uint8_t {
  kWaiting,  // predecessors not all finished
  kQueued,   // ready compute task waiting for its stream
  kRunning,
  kDone,
};

// `state` is indexed by TaskId.
[[nodiscard]] std::string describe_stuck(const TaskGraph& graph, std::span<const TaskState> state);

}  // namespace deepsim

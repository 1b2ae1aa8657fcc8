#include "sim/parallel/schedule_graph.h"

#include <map>
#include <string>
#include <tuple>

#include "sim/core/error.h"

namespace deepsim {

namespace {

std::string label_of(const Instr& in) {
  std::string text = std::string(to_string(in.op)) + std::to_string(in.piece.mb) + "." + std::to_string(in.piece.chunk);
  if (in.op == PipeOp::kForwardBackward) text += "|B" + std::to_string(in.other.mb) + "." + std::to_string(in.other.chunk);
  return text;
}

// The pipeline graph has no flows (sends are fixed-cost delays), so the engine gets a flow model that
// refuses them; this keeps sim/parallel independent of the network model in sim/net.
class NoFlows final : public FlowModel {
 public:
  Handle start(Time /*now*/, std::span<const LinkId> /*path*/, Bytes /*bytes*/) override {
    DEEPSIM_ASSERT(false, "schedule graphs carry no flows");
    return 0;
  }
  void finish(Time /*now*/, Handle /*flow*/) override {}
  void settle(Time /*now*/, std::vector<Update>& /*updates*/) override {}
  [[nodiscard]] bool current(Handle /*flow*/, std::uint32_t /*version*/) const override { return false; }
  [[nodiscard]] Bandwidth rate(Handle /*flow*/) const override { return {}; }
  [[nodiscard]] std::size_t link_count() const override { return 0; }
  [[nodiscard]] std::vector<double> link_bytes() const override { return {}; }
  [[nodiscard]] std::vector<Time> link_busy(Time /*now*/) const override { return {}; }
};

// A receive waits for its send and holds back the rank's next compute (or a trailing wait task).
struct PendingRecv {
  HopKey hop;
  TaskId waiter;
};

void build_rank(const Schedule& s, const StageCosts& costs, int rank, int gpu, ScheduleGraph& g,
                std::map<HopKey, TaskId>& sends, std::vector<PendingRecv>& recvs) {
  const auto& list = s.program[static_cast<std::size_t>(rank)];
  auto& tasks = g.instr_tasks[static_cast<std::size_t>(rank)];
  tasks.assign(list.size(), TaskId{});
  TaskId last_compute;
  std::vector<HopKey> waiting;  // receives issued since the last compute
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Instr& in = list[i];
    const std::uint32_t label = g.graph.add_label(label_of(in));
    if (in.op == PipeOp::kRecvActivation || in.op == PipeOp::kRecvGradient) {
      waiting.push_back(hop_of(s, rank, in));
      continue;
    }
    if (in.op == PipeOp::kSendActivation || in.op == PipeOp::kSendGradient) {
      const TaskId t = g.graph.add_delay(costs.send, label);
      if (last_compute.valid()) g.graph.add_dep(last_compute, t);
      sends[hop_of(s, rank, in)] = t;
      tasks[i] = t;
      continue;
    }
    const TaskId t = g.graph.add_compute(g.streams[static_cast<std::size_t>(rank)], costs.of(in.op), label, gpu);
    if (last_compute.valid()) g.graph.add_dep(last_compute, t);
    for (const HopKey& h : waiting) recvs.push_back({h, t});
    waiting.clear();
    last_compute = t;
    tasks[i] = t;
  }
  if (!waiting.empty()) {  // receives after the last compute still belong to the step
    const TaskId t = g.graph.add_delay(Time::zero());
    for (const HopKey& h : waiting) recvs.push_back({h, t});
  }
}

}  // namespace

ScheduleGraph build_schedule_graph(const Schedule& s, const StageCosts& costs, int first_gpu) {
  ScheduleGraph g;
  g.instr_tasks.resize(static_cast<std::size_t>(s.ranks));
  for (int r = 0; r < s.ranks; ++r) g.streams.push_back(g.graph.add_stream("pp rank " + std::to_string(r)));
  std::map<HopKey, TaskId> sends;
  std::vector<PendingRecv> recvs;
  for (int r = 0; r < s.ranks; ++r) build_rank(s, costs, r, first_gpu + r, g, sends, recvs);
  for (const PendingRecv& rv : recvs) {
    const auto it = sends.find(rv.hop);
    DEEPSIM_ASSERT(it != sends.end(), "receive without a matching send; run check_schedule first");
    g.graph.add_dep(it->second, rv.waiter);
  }
  return g;
}

PipelineTiming pipeline_timing(const ScheduleGraph& g, const RunResult& run) {
  PipelineTiming t;
  t.busy.assign(g.instr_tasks.size(), Time::zero());
  for (std::size_t r = 0; r < g.instr_tasks.size(); ++r) {
    for (const TaskId id : g.instr_tasks[r]) {
      if (!id.valid() || g.graph.task(id).kind != TaskKind::kCompute) continue;
      const TaskTiming& tt = run.tasks[id.value()];
      t.busy[r] += tt.end - tt.start;
      t.step = max(t.step, tt.end);
    }
  }
  for (const Time b : t.busy) t.bubble.push_back(t.step - b);
  return t;
}

PipelineTiming run_schedule(const Schedule& s, const StageCosts& costs) {
  const ScheduleGraph g = build_schedule_graph(s, costs);
  NoFlows no_flows;
  return pipeline_timing(g, run(g.graph, no_flows, RunOptions{.record_link_bytes = false}));
}

}  // namespace deepsim

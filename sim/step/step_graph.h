// The step graph builder: a pipeline schedule (sim/parallel) x per-stage costs and communication
// (StepInputs) -> one TaskGraph for the engine, for the ranks of one pipeline.
//
// Per rank: a compute stream and a communication stream (both FIFO in ready order). A forward chunk is
//   [embedding] -> per layer: attention -> dispatch -> MLP -> combine (dense layers: attention -> FFN)
//   -> [head, loss, MTP]
// and a backward chunk the reverse (combine-backward -> MLP -> dispatch-backward -> attention). In a
// DualPipe F&B pair both chains are issued together, so the attention and MLP of one run while the
// all-to-alls of the other are in flight (TR 3.2.1, Figure 4); all-to-all kernels hold comm_sms SMs,
// slowing the compute beside them (engine SM sharing). Instructions keep their program order: the first
// tasks of an instruction wait for the last compute of the previous one. Every communication is a typed
// comm task (sim/engine/comm_op.h) timed by the run's CommModel: all-to-alls (dispatch / combine over
// the EP group with its routing handle), a layer's TP collectives (all-reduces, or all-gather +
// reduce-scatter under sequence parallelism, over the TP group, on the compute stream, blocking it),
// pipeline sends (send/recv between neighbours' GPUs, no stream), DP syncs; a receive holds back the
// chain that consumes it. After its last instruction each rank
// reduce-scatters its gradients over each DP group, runs the optimizer, and all-gathers the parameters
// (ZeRO-0: one all-reduce before the optimizer). New collectives in a chain: comm_item() in the .cpp.
#pragma once

#include <array>
#include <vector>

#include "sim/engine/task_graph.h"
#include "sim/parallel/schedule.h"
#include "sim/step/step_inputs.h"
#include "sim/step/step_result.h"
#include "sim/step/task_info.h"

namespace deepsim {

struct StepGraph {
  TaskGraph graph;
  std::vector<StepPhase> phase;              // per task
  std::vector<int> rank_of_task;             // per task; -1 for none
  std::vector<StepTaskInfo> info;            // per task: op, layer, micro-batch, stage, chunk, work
  std::vector<std::array<StreamId, 2>> rank_streams;  // per rank: {compute, comm}
  // Per task: the ordinal of the rank's instruction it belongs to (its compute instructions in program
  // order, then the closing DP sync + optimizer); -1 for pipeline sends, barriers and other replicas.
  std::vector<std::int32_t> instr_of_task;
  std::vector<std::vector<WallPart>> instr_part;    // per rank, per instruction ordinal: its kind
};

[[nodiscard]] StepGraph build_step_graph(const Schedule& schedule, const StepInputs& in);

// The category names, indexed by StepCategory, for traces.
[[nodiscard]] std::vector<std::string> step_category_names();

}  // namespace deepsim

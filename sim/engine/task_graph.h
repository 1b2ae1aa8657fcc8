// TaskGraph: what the engine executes. A DAG of tasks, each either
//  - compute: occupies one stream (a FIFO resource, e.g. GPU 3's compute stream) for a duration, or
//  - flow: moves bytes along a path of links, sharing each link max-min fairly with concurrent flows,
//    after a fixed latency (the sum of per-hop latencies), or
//  - delay: a pure wait (launch overhead, a barrier's fixed cost), or
//  - comm: a typed communication op (comm_op.h) over a group of GPUs, optionally on a stream (then it
//    queues there like compute), timed by the run's CommModel (comm_model.h) when it starts.
// A task starts when all its predecessors have finished (and, for compute, when its stream is free;
// ready tasks on one stream start in the order they became ready, ties by task id).
// Builders (collectives, the step builder) append tasks; the engine (engine.h) runs the graph.
// Links are LinkIds into the link table of the flow model the graph runs on (sim/net/link.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/core/ids.h"
#include "sim/core/units.h"
#include "sim/engine/comm_op.h"

namespace deepsim {

using StreamId = Id<struct StreamTag>;

enum class TaskKind : std::uint8_t { kCompute, kFlow, kDelay, kComm };

struct Task {
  TaskKind kind = TaskKind::kDelay;
  StreamId stream;             // compute (required) and comm (optional)
  Time duration;               // compute and delay
  Bytes bytes;                 // flow only
  Time latency;                // flow only: charged before the bytes move
  std::uint32_t path_begin = 0;  // flow only: [path_begin, path_end) into the graph's path storage
  std::uint32_t path_end = 0;
  std::uint32_t label = 0;     // index into TaskGraph::labels(), for traces and reports
  std::int32_t gpu = -1;       // owning GPU for per-GPU accounting, -1 if none
  std::uint32_t category = 0;  // builder-defined class (e.g. "attention", "dispatch"), for breakdowns
  // SMs a communication kernel holds on `gpu` while it runs: a flow from its start to its end (latency
  // included), or a compute task that *is* a communication kernel (an all-to-all of fixed duration on a
  // comm stream; it is not slowed itself). Other compute on that GPU slows while they are held; see
  // engine.h. 0 = no SMs held.
  std::int32_t comm_sms = 0;
  std::uint32_t comm = 0;      // comm only: index into TaskGraph::comm_ops()
};

class TaskGraph {
 public:
  StreamId add_stream(std::string name);
  std::uint32_t add_label(std::string text);
  TaskId add_compute(StreamId stream, Time duration, std::uint32_t label = 0, std::int32_t gpu = -1,
                     std::uint32_t category = 0);
  TaskId add_flow(std::span<const LinkId> path, Bytes bytes, Time latency, std::uint32_t label = 0,
                  std::int32_t gpu = -1, std::uint32_t category = 0);
  TaskId add_delay(Time duration, std::uint32_t label = 0);
  // A communication op; `stream` may be invalid (it then starts as soon as it is ready). Its SMs are
  // op.sms, held on op.holders (or `gpu`).
  TaskId add_comm(StreamId stream, const CommOp& op, std::uint32_t label = 0, std::int32_t gpu = -1,
                  std::uint32_t category = 0);
  // A group of GPUs (global ids, in ring order) for comm ops; returns its index. Callers intern.
  std::uint32_t add_comm_group(std::vector<std::int32_t> gpus);
  // `after` may start only when `before` has finished.
  void add_dep(TaskId before, TaskId after);
  // Declares that `gpu` has `sms` streaming multiprocessors shared by its compute and communication
  // kernels. GPUs never declared run compute at full speed whatever their flows hold.
  void set_gpu_sms(std::int32_t gpu, std::int32_t sms);
  // Sets the SMs a communication task (a flow, or a compute task on a comm stream) holds on its gpu.
  void set_comm_sms(TaskId flow, std::int32_t sms);

  [[nodiscard]] std::size_t size() const { return tasks_.size(); }
  [[nodiscard]] const Task& task(TaskId id) const { return tasks_[id.value()]; }
  [[nodiscard]] std::span<const Task> tasks() const { return tasks_; }
  [[nodiscard]] std::span<const LinkId> path(const Task& t) const {
    return std::span<const LinkId>(path_links_).subspan(t.path_begin, t.path_end - t.path_begin);
  }
  [[nodiscard]] std::span<const TaskId> successors(TaskId id) const;
  [[nodiscard]] std::uint32_t predecessor_count(TaskId id) const { return pred_count_[id.value()]; }
  [[nodiscard]] const std::vector<std::string>& stream_names() const { return streams_; }
  [[nodiscard]] const std::vector<std::string>& labels() const { return labels_; }
  // SMs per GPU, indexed by gpu; 0 where none were declared (the vector may be shorter than the GPU count).
  [[nodiscard]] const std::vector<std::int32_t>& gpu_sms() const { return gpu_sms_; }
  [[nodiscard]] const CommOp& comm_op(const Task& t) const { return comm_ops_[t.comm]; }
  [[nodiscard]] std::span<const std::int32_t> comm_group(std::uint32_t g) const { return comm_groups_[g]; }
  [[nodiscard]] std::size_t comm_group_count() const { return comm_groups_.size(); }

 private:
  void finalize_successors() const;  // builds the CSR successor arrays lazily

  std::vector<Task> tasks_;
  std::vector<LinkId> path_links_;
  std::vector<std::pair<TaskId, TaskId>> edges_;
  std::vector<std::uint32_t> pred_count_;
  std::vector<std::string> streams_;
  std::vector<std::string> labels_{""};
  std::vector<std::int32_t> gpu_sms_;
  std::vector<CommOp> comm_ops_;
  std::vector<std::vector<std::int32_t>> comm_groups_;
  mutable std::vector<std::uint32_t> succ_offsets_;
  mutable std::vector<TaskId> succ_;
  mutable bool succ_valid_ = false;
};

}  // namespace deepsim

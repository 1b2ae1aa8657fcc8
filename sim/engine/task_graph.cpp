// TaskGraph: appending tasks and edges, and the lazily built CSR successor lists the engine walks.
#include "sim/engine/task_graph.h"

#include <string>
#include <utility>

#include "sim/core/error.h"

namespace deepsim {

namespace {

TaskId next_id(std::size_t size) {
  DEEPSIM_ASSERT(size < TaskId::kInvalid, "task graph is full");
  return TaskId(static_cast<TaskId::rep>(size));
}

}  // namespace

StreamId TaskGraph::add_stream(std::string name) {
  streams_.push_back(std::move(name));
  return StreamId(static_cast<StreamId::rep>(streams_.size() - 1));
}

std::uint32_t TaskGraph::add_label(std::string text) {
  labels_.push_back(std::move(text));
  return static_cast<std::uint32_t>(labels_.size() - 1);
}

TaskId TaskGraph::add_compute(StreamId stream, Time duration, std::uint32_t label, std::int32_t gpu,
                              std::uint32_t category) {
  DEEPSIM_ASSERT(stream.valid() && stream.value() < streams_.size(), "compute task on an unknown stream");
  DEEPSIM_ASSERT(duration >= Time::zero(), "negative compute duration");
  const TaskId id = next_id(tasks_.size());
  Task t;
  t.kind = TaskKind::kCompute;
  t.stream = stream;
  t.duration = duration;
  t.label = label;
  t.gpu = gpu;
  t.category = category;
  tasks_.push_back(t);
  pred_count_.push_back(0);
  succ_valid_ = false;
  return id;
}

TaskId TaskGraph::add_flow(std::span<const LinkId> path, Bytes bytes, Time latency, std::uint32_t label,
                           std::int32_t gpu, std::uint32_t category) {
  DEEPSIM_ASSERT(bytes.value() >= 0.0, "negative flow size");
  DEEPSIM_ASSERT(latency >= Time::zero(), "negative flow latency");
  const TaskId id = next_id(tasks_.size());
  Task t;
  t.kind = TaskKind::kFlow;
  t.bytes = bytes;
  t.latency = latency;
  t.path_begin = static_cast<std::uint32_t>(path_links_.size());
  path_links_.insert(path_links_.end(), path.begin(), path.end());
  t.path_end = static_cast<std::uint32_t>(path_links_.size());
  t.label = label;
  t.gpu = gpu;
  t.category = category;
  tasks_.push_back(t);
  pred_count_.push_back(0);
  succ_valid_ = false;
  return id;
}

TaskId TaskGraph::add_delay(Time duration, std::uint32_t label) {
  DEEPSIM_ASSERT(duration >= Time::zero(), "negative delay");
  const TaskId id = next_id(tasks_.size());
  Task t;
  t.kind = TaskKind::kDelay;
  t.duration = duration;
  t.label = label;
  tasks_.push_back(t);
  pred_count_.push_back(0);
  succ_valid_ = false;
  return id;
}

TaskId TaskGraph::add_comm(StreamId stream, const CommOp& op, std::uint32_t label, std::int32_t gpu,
                           std::uint32_t category) {
  DEEPSIM_ASSERT(!stream.valid() || stream.value() < streams_.size(), "comm task on an unknown stream");
  DEEPSIM_ASSERT(op.group < comm_groups_.size(), "comm task with an unknown group");
  DEEPSIM_ASSERT(op.holders == kNoGroup || op.holders < comm_groups_.size(), "comm task with unknown SM holders");
  DEEPSIM_ASSERT(op.bytes.value() >= 0.0, "negative comm size");
  DEEPSIM_ASSERT(op.sms >= 0, "negative comm SMs");
  DEEPSIM_ASSERT(op.sms == 0 || op.holders != kNoGroup || gpu >= 0, "a comm task holding SMs needs a gpu");
  const TaskId id = next_id(tasks_.size());
  Task t;
  t.kind = TaskKind::kComm;
  t.stream = stream;
  t.label = label;
  t.gpu = gpu;
  t.category = category;
  t.comm_sms = op.sms;
  t.comm = static_cast<std::uint32_t>(comm_ops_.size());
  comm_ops_.push_back(op);
  tasks_.push_back(t);
  pred_count_.push_back(0);
  succ_valid_ = false;
  return id;
}

std::uint32_t TaskGraph::add_comm_group(std::vector<std::int32_t> gpus) {
  DEEPSIM_ASSERT(!gpus.empty(), "an empty comm group");
  comm_groups_.push_back(std::move(gpus));
  return static_cast<std::uint32_t>(comm_groups_.size() - 1);
}

void TaskGraph::add_dep(TaskId before, TaskId after) {
  DEEPSIM_ASSERT(before.valid() && before.value() < tasks_.size(), "dependency from an unknown task");
  DEEPSIM_ASSERT(after.valid() && after.value() < tasks_.size(), "dependency to an unknown task");
  edges_.emplace_back(before, after);
  ++pred_count_[after.value()];
  succ_valid_ = false;
}

void TaskGraph::set_gpu_sms(std::int32_t gpu, std::int32_t sms) {
  DEEPSIM_ASSERT(gpu >= 0, "SMs declared for a negative gpu index");
  DEEPSIM_ASSERT(sms > 0, "a GPU needs at least one SM");
  const auto index = static_cast<std::size_t>(gpu);
  if (gpu_sms_.size() <= index) gpu_sms_.resize(index + 1, 0);
  gpu_sms_[index] = sms;
}

void TaskGraph::set_comm_sms(TaskId flow, std::int32_t sms) {
  DEEPSIM_ASSERT(flow.valid() && flow.value() < tasks_.size(), "comm SMs set on an unknown task");
  Task& t = tasks_[flow.value()];
  DEEPSIM_ASSERT(t.kind == TaskKind::kFlow || t.kind == TaskKind::kCompute, "comm SMs apply to flow and compute tasks");
  DEEPSIM_ASSERT(t.gpu >= 0, "a flow holding SMs needs the gpu it runs on");
  DEEPSIM_ASSERT(sms >= 0, "negative comm SMs");
  t.comm_sms = sms;
}

std::span<const TaskId> TaskGraph::successors(TaskId id) const {
  if (!succ_valid_) finalize_successors();
  const std::uint32_t begin = succ_offsets_[id.value()];
  const std::uint32_t end = succ_offsets_[id.value() + 1];
  return std::span<const TaskId>(succ_).subspan(begin, end - begin);
}

// Counting sort of the edges by source; within one source, successors keep insertion order so that
// the engine's traversal (and so its event order) depends only on how the graph was built.
void TaskGraph::finalize_successors() const {
  succ_offsets_.assign(tasks_.size() + 1, 0);
  for (const auto& [before, after] : edges_) ++succ_offsets_[before.value() + 1];
  for (std::size_t i = 1; i < succ_offsets_.size(); ++i) succ_offsets_[i] += succ_offsets_[i - 1];
  succ_.assign(edges_.size(), TaskId());
  std::vector<std::uint32_t> cursor(succ_offsets_.begin(), succ_offsets_.end() - 1);
  for (const auto& [before, after] : edges_) succ_[cursor[before.value()]++] = after;
  succ_valid_ = true;
}

}  // namespace deepsim

// The engine loop: dependency counting, FIFO streams, delays, and the two resource models (flows on
// links, SMs on GPUs) that re-time their work once per instant. Semantics are documented in engine.h.
#include "sim/engine/engine.h"

#include <algorithm>
#include <span>

#include "sim/core/error.h"
#include "sim/engine/comm_model.h"
#include "sim/engine/event_queue.h"
#include "sim/engine/flow_model.h"
#include "sim/engine/sm_sharing.h"
#include "sim/engine/stuck_report.h"

namespace deepsim {

namespace {

enum class EventKind : std::uint8_t {
  kTaskDone,     // a delay, or a flow with nothing to move, ends
  kComputeDone,  // versioned: SM sharing may re-time it
  kFlowInject,   // a flow's latency has passed; its bytes enter the network
  kFlowDone,     // versioned: the flow model re-times flows; id is the flow handle
  kCommDone,     // a comm task timed as a duration (or held by its plan's floor) ends
  kCommRound,    // a comm task's round latency has passed; id is its active-comm slot
};

// Who a flow handle belongs to: a flow task, or a round of a comm task (its active-comm slot).
inline constexpr std::uint32_t kPlainFlow = 0xffffffffu;

// A comm task running its plan's rounds.
struct ActiveComm {
  TaskId task;
  Time start;
  CommModel::Plan plan;
  std::size_t round = 0;
  std::size_t outstanding = 0;  // flows of the current round not yet finished
};

// A flow whose rate the link-use timeline follows: its path and its rate since `since`.
struct TracedFlow {
  std::span<const LinkId> path;
  double bytes_per_s = 0;
  Time since;
};

struct Event {
  EventKind kind;
  std::uint32_t id;
  std::uint32_t version;
};

// A stream's FIFO of ready compute tasks: a vector with a read cursor, emptied whenever it drains.
struct Stream {
  std::vector<TaskId> fifo;
  std::size_t head = 0;
  bool busy = false;
  bool dirty = false;  // may be able to start a task at this instant
};

class Executor {
 public:
  Executor(const TaskGraph& graph, FlowModel& flows, CommModel* comm)
      : graph_(graph),
        net_(flows),
        comm_(comm),
        sms_(graph.gpu_sms(), graph.size()),
        pending_(graph.size()),
        state_(graph.size(), TaskState::kWaiting),
        streams_(graph.stream_names().size()) {
    result_.tasks.resize(graph.size());
  }

  RunResult run(const RunOptions& options) {
    link_use_ = options.link_use;
    for (std::size_t i = 0; i < graph_.size(); ++i) {
      const TaskId id(static_cast<TaskId::rep>(i));
      check_task(graph_.task(id));
      pending_[i] = graph_.predecessor_count(id);
      if (pending_[i] == 0) ready_.push_back(id);
    }
    end_instant(Time::zero());
    while (!queue_.empty()) {
      const Time now = queue_.top().time;
      while (!queue_.empty() && queue_.top().time == now) handle(queue_.pop().payload, now);
      end_instant(now);
    }
    if (done_ != graph_.size()) throw InternalError(describe_stuck(graph_, state_));
    if (options.record_link_bytes) {
      result_.link_bytes = net_.link_bytes();
      result_.link_busy = net_.link_busy(result_.makespan);
      if (comm_ != nullptr) add_comm_link_use();
    }
    return std::move(result_);
  }

 private:
  void check_task(const Task& t) const {
    if (t.kind == TaskKind::kCompute) {
      DEEPSIM_ASSERT(t.stream.valid() && t.stream.value() < streams_.size(), "compute task on an unknown stream");
    }
    if (t.kind == TaskKind::kFlow) {
      for (const LinkId l : graph_.path(t)) DEEPSIM_ASSERT(l.value() < net_.link_count(), "flow path has an unknown link");
    }
    if (t.kind == TaskKind::kComm) {
      DEEPSIM_ASSERT(comm_ != nullptr, "a graph with comm tasks needs a CommModel");
      DEEPSIM_ASSERT(!t.stream.valid() || t.stream.value() < streams_.size(), "comm task on an unknown stream");
    }
  }

  // Closed-form link use of the comm model, added to the flows' (busy time capped at the makespan).
  void add_comm_link_use() {
    const std::vector<double> bytes = comm_->link_bytes();
    const std::vector<Time> busy = comm_->link_busy();
    if (result_.link_bytes.size() < bytes.size()) result_.link_bytes.resize(bytes.size(), 0.0);
    if (result_.link_busy.size() < busy.size()) result_.link_busy.resize(busy.size(), Time::zero());
    for (std::size_t l = 0; l < bytes.size(); ++l) result_.link_bytes[l] += bytes[l];
    for (std::size_t l = 0; l < busy.size(); ++l) result_.link_busy[l] = min(result_.makespan, result_.link_busy[l] + busy[l]);
  }

  void handle(const Event& ev, Time now) {
    switch (ev.kind) {
      case EventKind::kTaskDone:
        complete(TaskId(ev.id), now);
        break;
      case EventKind::kComputeDone: {
        const TaskId id(ev.id);
        if (ev.version != sms_.version(id)) return;  // re-timed since
        const Task& t = graph_.task(id);
        if (t.comm_sms > 0) {
          sms_.release(t.gpu, t.comm_sms);  // a communication kernel on a stream: held, never slowed
        } else {
          sms_.finish(id, t.gpu);
        }
        Stream& s = streams_[t.stream.value()];
        s.busy = false;
        mark_dirty(t.stream);
        complete(id, now);
        break;
      }
      case EventKind::kFlowInject:
        inject(TaskId(ev.id), now);
        break;
      case EventKind::kFlowDone: {
        if (!net_.current(ev.id, ev.version)) return;  // re-timed since
        if (link_use_ != nullptr) trace_rate(ev.id, now, 0.0);
        net_.finish(now, ev.id);
        const std::uint32_t owner = flow_owner_[ev.id];
        if (owner == kPlainFlow) {
          complete(flow_task_[ev.id], now);
        } else if (--active_[owner].outstanding == 0) {
          next_round(owner, now);
        }
        break;
      }
      case EventKind::kCommDone:
        finish_comm(TaskId(ev.id), now);
        break;
      case EventKind::kCommRound:
        start_round(ev.id, now);
        break;
    }
    ++result_.events;
  }

  void complete(TaskId id, Time now) {
    const Task& t = graph_.task(id);
    if (t.kind == TaskKind::kFlow) sms_.release(t.gpu, t.comm_sms);
    state_[id.value()] = TaskState::kDone;
    result_.tasks[id.value()].end = now;
    result_.makespan = max(result_.makespan, now);
    ++done_;
    for (const TaskId s : graph_.successors(id)) {
      if (--pending_[s.value()] == 0) ready_.push_back(s);
    }
  }

  // Once per instant, after its events: start what became ready (by task id), let idle streams take
  // their next task, then let the resource models re-time what this instant changed.
  void end_instant(Time now) {
    std::sort(ready_.begin(), ready_.end());
    for (const TaskId id : ready_) begin(id, now);
    ready_.clear();
    for (const StreamId sid : dirty_streams_) {
      Stream& s = streams_[sid.value()];
      s.dirty = false;
      if (s.busy || s.head == s.fifo.size()) continue;
      const TaskId next = s.fifo[s.head++];
      if (s.head == s.fifo.size()) {
        s.fifo.clear();
        s.head = 0;
      }
      start_compute(next, now);
    }
    dirty_streams_.clear();
    settle(now);
  }

  void begin(TaskId id, Time now) {
    const Task& t = graph_.task(id);
    result_.tasks[id.value()].ready = now;
    switch (t.kind) {
      case TaskKind::kDelay:
        start(id, now);
        queue_.push(now + t.duration, Event{EventKind::kTaskDone, id.value(), 0});
        break;
      case TaskKind::kCompute:
        state_[id.value()] = TaskState::kQueued;
        streams_[t.stream.value()].fifo.push_back(id);
        mark_dirty(t.stream);
        break;
      case TaskKind::kFlow:
        start_flow(id, now);
        break;
      case TaskKind::kComm:
        if (t.stream.valid()) {
          state_[id.value()] = TaskState::kQueued;
          streams_[t.stream.value()].fifo.push_back(id);
          mark_dirty(t.stream);
        } else {
          start_comm(id, now);
        }
        break;
    }
  }

  // SMs of a comm task: on each of its holders, or on its gpu.
  template <class F>
  void for_each_holder(const Task& t, F&& f) {
    const CommOp& op = graph_.comm_op(t);
    if (op.sms <= 0) return;
    if (op.holders == kNoGroup) {
      f(t.gpu, op.sms);
      return;
    }
    for (const std::int32_t g : graph_.comm_group(op.holders)) f(g, op.sms);
  }

  void start_comm(TaskId id, Time now) {
    const Task& t = graph_.task(id);
    start(id, now);
    if (t.stream.valid()) streams_[t.stream.value()].busy = true;
    for_each_holder(t, [this](std::int32_t g, std::int32_t sms) { sms_.hold(g, sms); });
    const CommOp& op = graph_.comm_op(t);
    std::uint32_t slot;
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
    } else {
      slot = static_cast<std::uint32_t>(active_.size());
      active_.emplace_back();
    }
    ActiveComm& a = active_[slot];
    a.task = id;
    a.start = now;
    a.plan.duration = Time::zero();
    a.plan.floor = Time::zero();
    a.plan.rounds.clear();
    a.round = 0;
    a.outstanding = 0;
    a.plan.link_share = {};
    a.plan.share_bytes = Bytes();
    comm_->plan(op, graph_.comm_group(op.group), a.plan);
    if (a.plan.rounds.empty()) {
      const Time d = a.plan.duration;
      if (link_use_ != nullptr && d > Time::zero()) {
        // The op's bytes on each link, spread evenly over its duration.
        const double per_s = a.plan.share_bytes.value() / d.seconds();
        link_use_->add_shares(a.plan.link_share, now, now + d, per_s);
      }
      free_slots_.push_back(slot);
      queue_.push(now + d, Event{EventKind::kCommDone, id.value(), 0});
      return;
    }
    schedule_round(slot, now);
  }

  // Round `a.round` of slot starts after its latency.
  void schedule_round(std::uint32_t slot, Time now) {
    const Time lat = active_[slot].plan.rounds[active_[slot].round].latency;
    if (lat > Time::zero()) {
      queue_.push(now + lat, Event{EventKind::kCommRound, slot, 0});
    } else {
      start_round(slot, now);
    }
  }

  void start_round(std::uint32_t slot, Time now) {
    ActiveComm& a = active_[slot];
    const CommModel::Round& round = a.plan.rounds[a.round];
    a.outstanding = 0;
    for (const CommModel::FlowSpec& f : round.flows) {
      if (f.bytes.value() <= 0.0 || f.path.empty()) continue;
      const FlowModel::Handle h = net_.start(now, f.path, f.bytes);
      own_flow(h, a.task, slot);
      if (link_use_ != nullptr) trace_flow(h, f.path, now);
      ++a.outstanding;
    }
    if (a.outstanding == 0) next_round(slot, now);
  }

  void next_round(std::uint32_t slot, Time now) {
    ActiveComm& a = active_[slot];
    if (++a.round < a.plan.rounds.size()) {
      schedule_round(slot, now);
      return;
    }
    const TaskId id = a.task;
    const Time end = a.start + a.plan.floor;
    free_slots_.push_back(slot);
    if (end > now) {  // the flows are done, the kernel's floor is not
      queue_.push(end, Event{EventKind::kCommDone, id.value(), 0});
      return;
    }
    finish_comm(id, now);
  }

  void finish_comm(TaskId id, Time now) {
    const Task& t = graph_.task(id);
    for_each_holder(t, [this](std::int32_t g, std::int32_t sms) { sms_.release(g, sms); });
    if (t.stream.valid()) {
      streams_[t.stream.value()].busy = false;
      mark_dirty(t.stream);
    }
    complete(id, now);
  }

  void own_flow(FlowModel::Handle h, TaskId task, std::uint32_t owner) {
    if (flow_task_.size() <= h) {
      flow_task_.resize(h + 1);
      flow_owner_.resize(h + 1, kPlainFlow);
    }
    flow_task_[h] = task;
    flow_owner_[h] = owner;
  }

  void start(TaskId id, Time now) {
    state_[id.value()] = TaskState::kRunning;
    result_.tasks[id.value()].start = now;
  }

  void start_compute(TaskId id, Time now) {
    const Task& t = graph_.task(id);
    start(id, now);
    if (t.kind == TaskKind::kComm) {
      start_comm(id, now);
      return;
    }
    streams_[t.stream.value()].busy = true;
    if (t.comm_sms > 0) {
      // A communication kernel on a stream (an all-to-all with a duration fixed by its builder): it holds
      // its SMs for its whole duration and is not itself slowed by them.
      sms_.hold(t.gpu, t.comm_sms);
      queue_.push(now + t.duration, Event{EventKind::kComputeDone, id.value(), sms_.version(id)});
      return;
    }
    const Time finish = sms_.start(now, id, t.gpu, t.duration);
    if (finish != Time::max()) queue_.push(finish, Event{EventKind::kComputeDone, id.value(), sms_.version(id)});
  }

  void start_flow(TaskId id, Time now) {
    const Task& t = graph_.task(id);
    start(id, now);
    sms_.hold(t.gpu, t.comm_sms);
    if (t.bytes.value() <= 0.0 || t.path_begin == t.path_end) {
      queue_.push(now + t.latency, Event{EventKind::kTaskDone, id.value(), 0});
    } else if (t.latency > Time::zero()) {
      queue_.push(now + t.latency, Event{EventKind::kFlowInject, id.value(), 0});
    } else {
      inject(id, now);
    }
  }

  void inject(TaskId id, Time now) {
    const Task& t = graph_.task(id);
    const FlowModel::Handle h = net_.start(now, graph_.path(t), t.bytes);
    own_flow(h, id, kPlainFlow);
    if (link_use_ != nullptr) trace_flow(h, graph_.path(t), now);
  }

  // The link-use timeline follows a new flow (its rate comes with the next settle).
  void trace_flow(FlowModel::Handle h, std::span<const LinkId> path, Time now) {
    if (traced_.size() <= h) traced_.resize(h + 1);
    traced_[h] = TracedFlow{path, 0.0, now};
  }

  // A traced flow's rate becomes `bytes_per_s` at `now`: its old rate goes on its links until now.
  void trace_rate(FlowModel::Handle h, Time now, double bytes_per_s) {
    TracedFlow& f = traced_[h];
    if (bytes_per_s == f.bytes_per_s) return;
    for (const LinkId l : f.path) link_use_->add(l, f.since, now, f.bytes_per_s);
    f.bytes_per_s = bytes_per_s;
    f.since = now;
  }

  void settle(Time now) {
    net_.settle(now, flow_updates_);
    for (const FlowModel::Update& u : flow_updates_) {
      if (u.finish != Time::max()) queue_.push(u.finish, Event{EventKind::kFlowDone, u.flow, u.version});
      if (link_use_ != nullptr) trace_rate(u.flow, now, net_.rate(u.flow).bytes_per_s());
    }
    flow_updates_.clear();
    sms_.settle(now, sm_updates_);
    for (const SmSharing::Update& u : sm_updates_) {
      if (u.finish != Time::max()) queue_.push(u.finish, Event{EventKind::kComputeDone, u.task.value(), u.version});
    }
    sm_updates_.clear();
  }

  void mark_dirty(StreamId sid) {
    Stream& s = streams_[sid.value()];
    if (s.dirty) return;
    s.dirty = true;
    dirty_streams_.push_back(sid);
  }

  const TaskGraph& graph_;
  FlowModel& net_;
  CommModel* comm_;  // null: the graph has no comm tasks
  LinkUseTimeline* link_use_ = nullptr;  // null: link use over time is not recorded
  std::vector<TracedFlow> traced_;       // flow handle -> its traced rate (with link_use_)
  SmSharing sms_;
  EventQueue<Event> queue_;
  std::vector<std::uint32_t> pending_;  // unfinished predecessors per task
  std::vector<TaskState> state_;
  std::vector<Stream> streams_;
  std::vector<StreamId> dirty_streams_;
  std::vector<TaskId> ready_;        // became ready at this instant
  std::vector<TaskId> flow_task_;    // flow handle -> task
  std::vector<std::uint32_t> flow_owner_;  // flow handle -> kPlainFlow or active-comm slot
  std::vector<ActiveComm> active_;   // comm tasks running rounds, by slot
  std::vector<std::uint32_t> free_slots_;
  std::vector<FlowModel::Update> flow_updates_;
  std::vector<SmSharing::Update> sm_updates_;
  std::size_t done_ = 0;
  RunResult result_;
};

}  // namespace

RunResult run(const TaskGraph& graph, FlowModel& flows, const RunOptions& options) {
  Executor executor(graph, flows, nullptr);
  return executor.run(options);
}

RunResult run(const TaskGraph& graph, FlowModel& flows, CommModel& comm, const RunOptions& options) {
  Executor executor(graph, flows, &comm);
  return executor.run(options);
}

}  // namespace deepsim

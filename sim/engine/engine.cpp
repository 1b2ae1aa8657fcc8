// The engine loop: dependency counting, FIFO streams, delays, and the two resource models (flows on
// links, SMs on GPUs) that re-time their work once per instant. Semantics are documented in engine.h.
#include "sim/engine/engine.h"

#include <algorithm>

#include "sim/core/error.h"
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
  Executor(const TaskGraph& graph, FlowModel& flows)
      : graph_(graph),
        net_(flows),
        sms_(graph.gpu_sms(), graph.size()),
        pending_(graph.size()),
        state_(graph.size(), TaskState::kWaiting),
        streams_(graph.stream_names().size()) {
    result_.tasks.resize(graph.size());
  }

  RunResult run(const RunOptions& options) {
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
        net_.finish(now, ev.id);
        complete(flow_task_[ev.id], now);
        break;
      }
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
    }
  }

  void start(TaskId id, Time now) {
    state_[id.value()] = TaskState::kRunning;
    result_.tasks[id.value()].start = now;
  }

  void start_compute(TaskId id, Time now) {
    const Task& t = graph_.task(id);
    start(id, now);
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
    if (flow_task_.size() <= h) flow_task_.resize(h + 1);
    flow_task_[h] = id;
  }

  void settle(Time now) {
    net_.settle(now, flow_updates_);
    for (const FlowModel::Update& u : flow_updates_) {
      if (u.finish != Time::max()) queue_.push(u.finish, Event{EventKind::kFlowDone, u.flow, u.version});
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
  SmSharing sms_;
  EventQueue<Event> queue_;
  std::vector<std::uint32_t> pending_;  // unfinished predecessors per task
  std::vector<TaskState> state_;
  std::vector<Stream> streams_;
  std::vector<StreamId> dirty_streams_;
  std::vector<TaskId> ready_;        // became ready at this instant
  std::vector<TaskId> flow_task_;    // flow handle -> task
  std::vector<FlowModel::Update> flow_updates_;
  std::vector<SmSharing::Update> sm_updates_;
  std::size_t done_ = 0;
  RunResult result_;
};

}  // namespace

RunResult run(const TaskGraph& graph, FlowModel& flows, const RunOptions& options) {
  Executor executor(graph, flows);
  return executor.run(options);
}

}  // namespace deepsim

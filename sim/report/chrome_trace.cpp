#include "sim/report/chrome_trace.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <map>
#include <set>
#include <string_view>
#include <tuple>
#include <vector>

#include "sim/core/error.h"
#include "sim/core/format.h"

namespace deepsim {
namespace {

constexpr int kNetworkPid = 1'000'000;
constexpr int kHostPid = 999'999;
// Thread ids of the extra comm lanes of a GPU (and of its comm track when it has no comm stream); far
// above the stream indices, which are the other thread ids.
constexpr int kLaneTid = 1'000'000;
// Counter samples per link class at most (trace size): a step's change points beyond this are binned.
constexpr std::size_t kMaxLinkCounterSamples = 2000;

// Trace timestamps are microseconds; picosecond resolution needs 6 decimals. Below 1e15 ps (1000 s)
// the double t / 1e6 printed with 6 decimals is exactly the integer picoseconds with a decimal point
// (its rounding error is far under half the last digit), so those are printed from the integer.
std::string us(Time t) {
  const std::int64_t ps = t.count_ps();
  constexpr std::int64_t kExact = 1'000'000'000'000'000;
  if (ps <= -kExact || ps >= kExact) return fixed(static_cast<double>(ps) / 1e6, 6);
  const std::uint64_t a = ps < 0 ? static_cast<std::uint64_t>(-ps) : static_cast<std::uint64_t>(ps);
  std::array<char, 32> buf{};
  char* p = buf.data();
  if (ps < 0) *p++ = '-';
  p = std::to_chars(p, buf.data() + buf.size(), a / 1'000'000).ptr;
  *p++ = '.';
  std::uint64_t frac = a % 1'000'000;
  for (int k = 5; k >= 0; --k, frac /= 10) p[k] = static_cast<char>('0' + frac % 10);
  return std::string(buf.data(), p + 6);
}

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out;
}

struct StreamTrack {
  int pid = kHostPid;
  int tid = 0;
  std::string thread;
};

StreamTrack parse_stream(const std::string& name, int index) {
  StreamTrack t;
  t.tid = index;
  t.thread = name;
  if (name.rfind("gpu", 0) == 0) {
    const auto slash = name.find('/');
    if (slash != std::string::npos && slash > 3) {
      t.pid = std::stoi(name.substr(3, slash - 3));
      t.thread = name.substr(slash + 1);
    }
  }
  return t;
}

LinkClass flow_class(const TaskGraph& g, const Task& task, const LinkTable& links) {
  LinkClass best = LinkClass::kNvlink;
  for (LinkId l : g.path(task)) best = std::max(best, links[l].cls);
  return best;
}

// Where each task's slice goes: (pid, tid), or pid < 0 for none.
struct Placement {
  std::vector<std::pair<int, int>> track;           // per task
  std::map<int, int> lanes;                         // pid -> comm lanes used
  std::map<int, int> comm_tid;                      // pid -> tid of its comm stream, when it has one
};

// Compute tasks go on their stream's track; a GPU's comm-stream tasks and the flows it sends share its
// comm track, spread over lanes so that the slices of one lane never overlap (first lane free wins,
// in start order: deterministic).
Placement place(const TaskGraph& graph, const RunResult& run, const std::vector<StreamTrack>& tracks, int max_gpus) {
  Placement p;
  const auto tasks = graph.tasks();
  p.track.assign(tasks.size(), {-1, -1});
  for (const StreamTrack& t : tracks)
    if (t.pid != kHostPid && t.thread == "comm") p.comm_tid.emplace(t.pid, t.tid);
  std::map<int, std::vector<std::size_t>> comm;  // pid -> tasks on its comm track
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const Task& task = tasks[i];
    const bool streamed = task.kind == TaskKind::kCompute || (task.kind == TaskKind::kComm && task.stream.valid());
    if (streamed) {
      const StreamTrack& t = tracks[task.stream.value()];
      if (t.pid != kHostPid && t.pid >= max_gpus) continue;
      if (t.pid != kHostPid && t.thread == "comm") comm[t.pid].push_back(i);
      else p.track[i] = {t.pid, t.tid};
    } else if ((task.kind == TaskKind::kFlow || task.kind == TaskKind::kComm) && task.gpu >= 0 && task.gpu < max_gpus) {
      comm[task.gpu].push_back(i);
    }
  }
  for (auto& [pid, list] : comm) {
    std::sort(list.begin(), list.end(), [&](std::size_t a, std::size_t b) {
      return std::tie(run.tasks[a].start, run.tasks[a].end, a) < std::tie(run.tasks[b].start, run.tasks[b].end, b);
    });
    std::vector<Time> lane_end;
    for (std::size_t i : list) {
      std::size_t lane = 0;
      while (lane < lane_end.size() && lane_end[lane] > run.tasks[i].start) ++lane;
      if (lane == lane_end.size()) lane_end.push_back(Time::zero());
      lane_end[lane] = run.tasks[i].end;
      const auto own = p.comm_tid.find(pid);
      const int tid = lane == 0 && own != p.comm_tid.end() ? own->second : kLaneTid + static_cast<int>(lane);
      p.track[i] = {pid, tid};
    }
    p.lanes[pid] = static_cast<int>(lane_end.size());
  }
  return p;
}

class Writer {
 public:
  explicit Writer(std::ostream& out) : out_(out) {}
  std::ostream& next() {
    if (!first_) out_ << ",\n";
    first_ = false;
    return out_;
  }

 private:
  std::ostream& out_;
  bool first_ = true;
};

void write_metadata(Writer& w, const std::vector<StreamTrack>& tracks, const Placement& p, int max_gpus) {
  std::set<int> named;
  auto process = [&](int pid, const std::string& name) {
    if (!named.insert(pid).second) return;
    w.next() << R"({"ph":"M","name":"process_name","pid":)" << pid << R"(,"args":{"name":")" << name << "\"}}";
    w.next() << R"({"ph":"M","name":"process_sort_index","pid":)" << pid << R"(,"args":{"sort_index":)" << pid << "}}";
  };
  auto thread = [&](int pid, int tid, const std::string& name) {
    w.next() << R"({"ph":"M","name":"thread_name","pid":)" << pid << ",\"tid\":" << tid << R"(,"args":{"name":")"
             << escape(name) << "\"}}";
    // Compute first, then comm and its lanes, in every GPU process.
    w.next() << R"({"ph":"M","name":"thread_sort_index","pid":)" << pid << ",\"tid\":" << tid
             << R"(,"args":{"sort_index":)" << (tid >= kLaneTid ? tid : tid % kLaneTid) << "}}";
  };
  for (const auto& t : tracks) {
    if (t.pid != kHostPid && t.pid >= max_gpus) continue;
    process(t.pid, t.pid == kHostPid ? std::string("host") : "GPU " + std::to_string(t.pid));
    thread(t.pid, t.tid, t.thread);
  }
  for (const auto& [pid, lanes] : p.lanes) {
    process(pid, "GPU " + std::to_string(pid));
    const bool own = p.comm_tid.count(pid) > 0;
    for (int lane = own ? 1 : 0; lane < lanes; ++lane)
      thread(pid, kLaneTid + lane, lane == 0 ? std::string("comm") : "comm " + std::to_string(lane + 1));
  }
  process(kNetworkPid, "network (link classes)");
  for (int c = 0; c < kLinkClassCount; ++c) thread(kNetworkPid, c, to_string(static_cast<LinkClass>(c)));
}

// `"args":{...}` of a slice: the task's label and, with task info, its place in the step and its work.
void write_args(std::ostream& out, const Task& task, const std::string& label, const StepTaskInfo* info) {
  out << R"(,"args":{"label":")" << label << '"';
  if (info != nullptr) {
    if (info->layer >= 0) out << ",\"layer\":" << info->layer;
    if (info->mb >= 0) out << ",\"micro_batch\":" << info->mb;
    if (info->stage >= 0) out << ",\"stage\":" << info->stage;
    if (info->chunk >= 0) out << ",\"chunk\":" << info->chunk;
    if (info->flops.value() > 0) out << ",\"flops\":" << fixed(info->flops.value(), 0);
  }
  if (task.kind == TaskKind::kFlow) out << ",\"bytes\":" << fixed(task.bytes.value(), 0) << ",\"gpu\":" << task.gpu;
  if (task.kind == TaskKind::kComm && info != nullptr && info->bytes.value() > 0)
    out << ",\"bytes\":" << fixed(info->bytes.value(), 0) << ",\"gpu\":" << task.gpu;
  out << "}";
}

void write_memory_counters(Writer& w, const TaskGraph& graph, const RunResult& run, const TraceOptions& o) {
  if (o.info.size() != graph.size()) return;
  const auto tasks = graph.tasks();
  for (const TraceMemory& m : o.memory) {
    if (m.gpu >= o.max_gpus) continue;
    // (micro-batch, chunk, stage) -> [first forward start, last backward end]
    std::map<std::tuple<int, int, int>, std::pair<Time, Time>> held;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      const StepTaskInfo& in = o.info[i];
      if (tasks[i].gpu != m.gpu || in.mb < 0) continue;
      const bool fwd = is_forward_compute(in.op), bwd = is_backward_compute(in.op);
      if (!fwd && !bwd) continue;
      auto [it, fresh] = held.try_emplace({in.mb, in.chunk, in.stage}, run.tasks[i].start, run.tasks[i].start);
      if (fwd) it->second.first = fresh ? run.tasks[i].start : std::min(it->second.first, run.tasks[i].start);
      if (bwd) it->second.second = std::max(it->second.second, run.tasks[i].end);
    }
    std::map<Time, int> delta;
    for (const auto& [key, span] : held) {
      ++delta[span.first];
      --delta[std::max(span.first, span.second)];
    }
    delta.try_emplace(Time::zero(), 0);
    int in_flight = 0;
    for (const auto& [t, d] : delta) {
      in_flight += d;
      const double gb = (m.states.value() + in_flight * m.activations_per_micro_batch.value()) / 1e9;
      w.next() << R"j({"ph":"C","name":"memory in use (GB)","pid":)j" << m.gpu << ",\"ts\":" << us(t)
               << R"(,"args":{"GB":)" << fixed(gb, 3) << ",\"micro_batches_in_flight\":" << in_flight << "}}";
    }
  }
}

// Without a recorded timeline: every flow task at its mean rate (its bytes over its transfer time,
// after its latency), on the links of its path (a generic graph of flows; step graphs record one).
LinkUseTimeline flow_task_timeline(const TaskGraph& graph, const RunResult& run, const LinkTable& links) {
  LinkUseTimeline use = link_class_timeline(links);
  const auto tasks = graph.tasks();
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const Task& task = tasks[i];
    if (task.kind != TaskKind::kFlow) continue;
    const Time from = run.tasks[i].start + task.latency;
    const Time to = run.tasks[i].end;
    if (to <= from) continue;
    for (LinkId l : graph.path(task)) use.add(l, from, to, task.bytes.value() / (to - from).seconds());
  }
  return use;
}

// A channel's step function thinned to at most `cap` samples: as recorded when it has that few change
// points, else the mean over each of cap - 1 equal bins (the bytes it moved are kept), then 0 at its end.
std::vector<LinkUseTimeline::Sample> thin(const std::vector<LinkUseTimeline::Sample>& s, std::size_t cap) {
  if (s.size() <= cap) return s;
  const Time begin = s.front().at, end = s.back().at;
  const auto bins = static_cast<Time::rep>(cap - 1);
  const Time width = Time::ps(((end - begin).count_ps() + bins - 1) / bins);
  std::vector<LinkUseTimeline::Sample> out;
  std::size_t i = 0;  // s[i] is in effect at the bin's start
  for (Time from = begin; from < end; from += width) {
    const Time to = min(end, from + width);
    double area = 0;  // bytes/s x ps
    for (std::size_t j = i; j + 1 < s.size() && s[j].at < to; ++j) {
      const Time a = max(from, s[j].at), b = min(to, s[j + 1].at);
      if (b > a) area += s[j].bytes_per_s * static_cast<double>((b - a).count_ps());
    }
    out.push_back({from, area / static_cast<double>((to - from).count_ps())});
    while (i + 1 < s.size() && s[i + 1].at <= to) ++i;
  }
  out.push_back({end, 0.0});
  return out;
}

// Per link class: the summed rate on the class's links over the capacity of those of them that carried
// anything in the run (the mean utilisation of the links the step used), as a step function from t = 0;
// samples whose printed value repeats the one before are left out.
void write_link_counters(Writer& w, const LinkUseTimeline& use, const LinkTable& links) {
  std::array<double, kLinkClassCount> capacity{};
  for (std::size_t l = 0; l < links.size() && l < use.links(); ++l) {
    const LinkId id(static_cast<LinkId::rep>(l));
    if (use.used(id)) capacity[use.channel_of(id)] += links[id].capacity.bytes_per_s();
  }
  for (std::size_t c = 0; c < kLinkClassCount; ++c) {
    if (capacity[c] <= 0) continue;
    const std::vector<LinkUseTimeline::Sample> recorded = thin(use.samples(c), kMaxLinkCounterSamples);
    std::vector<LinkUseTimeline::Sample> samples;  // from t = 0
    samples.reserve(recorded.size() + 1);
    if (recorded.empty() || recorded.front().at > Time::zero()) samples.push_back({Time::zero(), 0.0});
    samples.insert(samples.end(), recorded.begin(), recorded.end());
    std::string last;
    for (const LinkUseTimeline::Sample& x : samples) {
      std::string percent = fixed(std::max(0.0, 100 * x.bytes_per_s / capacity[c]), 2);
      if (percent == last) continue;
      w.next() << R"({"ph":"C","name":"utilisation )" << to_string(static_cast<LinkClass>(c))
               << R"j( (%)","pid":)j" << kNetworkPid << ",\"ts\":" << us(x.at) << R"(,"args":{"percent":)" << percent
               << "}}";
      last = std::move(percent);
    }
  }
}

}  // namespace

void write_chrome_trace(std::ostream& out, const TaskGraph& graph, const RunResult& run, const LinkTable& links,
                        const TraceOptions& options) {
  const auto& names = graph.stream_names();
  std::vector<StreamTrack> tracks;
  for (std::size_t i = 0; i < names.size(); ++i) tracks.push_back(parse_stream(names[i], static_cast<int>(i)));
  auto category = [&](std::uint32_t c) -> std::string {
    return c < options.category_names.size() ? options.category_names[c] : "task";
  };
  const bool with_info = options.info.size() == graph.size();
  const Placement placed = place(graph, run, tracks, options.max_gpus);
  out << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  Writer w(out);
  write_metadata(w, tracks, placed, options.max_gpus);
  const auto tasks = graph.tasks();
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const Task& task = tasks[i];
    const TaskTiming& tm = run.tasks[i];
    const StepTaskInfo* info = with_info ? &options.info[i] : nullptr;
    // Step graphs leave their tasks unlabelled (label 0) and the label is rebuilt from the task's info.
    const std::string label =
        escape(task.label != 0 || info == nullptr ? graph.labels()[task.label] : step_task_label(*info));
    const std::string name = info != nullptr && info->op != StepOp::kNone ? std::string(to_string(info->op)) : label;
    const auto [pid, tid] = placed.track[i];
    if (pid >= 0 && task.kind != TaskKind::kDelay) {
      std::ostream& e = w.next();
      e << R"({"ph":"X","name":")" << name << R"(","cat":")" << category(task.category) << R"(","pid":)" << pid
        << ",\"tid\":" << tid << ",\"ts\":" << us(tm.start) << ",\"dur\":" << us(tm.end - tm.start);
      write_args(e, task, label, info);
      e << "}";
    } else if (task.kind == TaskKind::kFlow && task.gpu < 0) {
      // A flow no GPU sends (a generic graph): an async slice on its link class's network track.
      const int cls = static_cast<int>(flow_class(graph, task, links));
      for (int phase = 0; phase < 2; ++phase) {
        std::ostream& e = w.next();
        e << R"({"ph":")" << (phase == 0 ? 'b' : 'e') << R"(","name":")" << name << R"(","cat":")"
          << category(task.category) << R"(","id":)" << i << R"(,"pid":)" << kNetworkPid << ",\"tid\":" << cls
          << ",\"ts\":" << us(phase == 0 ? tm.start : tm.end);
        if (phase == 0) write_args(e, task, label, info);
        e << "}";
      }
    }
    // A send's arrow: from its slice to the first compute task that waited for it.
    const bool send = task.kind == TaskKind::kFlow || (task.kind == TaskKind::kComm && (graph.comm_op(task).kind == CommKind::kSendRecv || graph.comm_op(task).kind == CommKind::kRingShift));
    if (!send || pid < 0) continue;
    for (TaskId succ : graph.successors(TaskId(static_cast<TaskId::rep>(i)))) {
      const auto [spid, stid] = placed.track[succ.value()];
      if (graph.task(succ).kind != TaskKind::kCompute || spid < 0) continue;
      w.next() << R"({"ph":"s","name":"send","cat":"flow","id":)" << i << ",\"pid\":" << pid << ",\"tid\":" << tid
               << ",\"ts\":" << us(tm.start) << "}";
      w.next() << R"({"ph":"f","bp":"e","name":"send","cat":"flow","id":)" << i << ",\"pid\":" << spid
               << ",\"tid\":" << stid << ",\"ts\":" << us(run.tasks[succ.value()].start) << "}";
      break;
    }
  }
  write_memory_counters(w, graph, run, options);
  if (options.link_use != nullptr) {
    DEEPSIM_ASSERT(options.link_use->channels() == kLinkClassCount && options.link_use->links() == links.size(),
                   "a trace's link use has one channel per link class of its links (link_class_timeline())");
    write_link_counters(w, *options.link_use, links);
  } else {
    write_link_counters(w, flow_task_timeline(graph, run, links), links);
  }
  out << "\n]}\n";
}

}  // namespace deepsim

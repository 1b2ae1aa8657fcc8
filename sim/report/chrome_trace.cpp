#include "sim/report/chrome_trace.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <vector>

#include "sim/core/format.h"

namespace deepsim {
namespace {

constexpr int kNetworkPid = 1'000'000;
constexpr int kHostPid = 999'999;

// Trace timestamps are microseconds; picosecond resolution needs 6 decimals.
std::string us(Time t) { return fixed(static_cast<double>(t.count_ps()) / 1e6, 6); }

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

}  // namespace

void write_chrome_trace(std::ostream& out, const TaskGraph& graph, const RunResult& run, const LinkTable& links,
                        const TraceOptions& options) {
  const auto& names = graph.stream_names();
  std::vector<StreamTrack> tracks;
  for (std::size_t i = 0; i < names.size(); ++i) tracks.push_back(parse_stream(names[i], static_cast<int>(i)));
  auto category = [&](std::uint32_t c) -> std::string {
    return c < options.category_names.size() ? options.category_names[c] : "task";
  };
  out << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  bool first = true;
  auto sep = [&] {
    if (!first) out << ",\n";
    first = false;
  };
  std::map<int, bool> named_pids;
  for (const auto& t : tracks) {
    if (t.pid != kHostPid && t.pid >= options.max_gpus) continue;
    if (!named_pids[t.pid]) {
      named_pids[t.pid] = true;
      sep();
      out << R"({"ph":"M","name":"process_name","pid":)" << t.pid << R"(,"args":{"name":")"
          << (t.pid == kHostPid ? std::string("host") : "GPU " + std::to_string(t.pid)) << "\"}}";
      sep();
      out << R"({"ph":"M","name":"process_sort_index","pid":)" << t.pid << R"(,"args":{"sort_index":)" << t.pid << "}}";
    }
    sep();
    out << R"({"ph":"M","name":"thread_name","pid":)" << t.pid << ",\"tid\":" << t.tid << R"(,"args":{"name":")"
        << escape(t.thread) << "\"}}";
  }
  sep();
  out << R"({"ph":"M","name":"process_name","pid":)" << kNetworkPid << R"j(,"args":{"name":"network (link classes)"}})j";
  for (int c = 0; c < kLinkClassCount; ++c) {
    sep();
    out << R"({"ph":"M","name":"thread_name","pid":)" << kNetworkPid << ",\"tid\":" << c << R"(,"args":{"name":")"
        << to_string(static_cast<LinkClass>(c)) << "\"}}";
  }
  const auto tasks = graph.tasks();
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const Task& task = tasks[i];
    const TaskTiming& tm = run.tasks[i];
    const std::string label = escape(graph.labels()[task.label]);
    if (task.kind == TaskKind::kCompute) {
      const StreamTrack& t = tracks[task.stream.value()];
      if (t.pid != kHostPid && t.pid >= options.max_gpus) continue;
      sep();
      out << R"({"ph":"X","name":")" << label << R"(","cat":")" << category(task.category) << R"(","pid":)" << t.pid
          << ",\"tid\":" << t.tid << ",\"ts\":" << us(tm.start) << ",\"dur\":" << us(tm.end - tm.start) << "}";
    } else if (task.kind == TaskKind::kFlow) {
      if (task.gpu >= options.max_gpus) continue;
      const int cls = static_cast<int>(flow_class(graph, task, links));
      for (int phase = 0; phase < 2; ++phase) {
        sep();
        out << R"({"ph":")" << (phase == 0 ? 'b' : 'e') << R"(","name":")" << label << R"(","cat":")"
            << category(task.category) << R"(","id":)" << i << R"(,"pid":)" << kNetworkPid << ",\"tid\":" << cls
            << ",\"ts\":" << us(phase == 0 ? tm.start : tm.end);
        if (phase == 0) out << R"(,"args":{"bytes":)" << fixed(task.bytes.value(), 0) << ",\"gpu\":" << task.gpu << "}";
        out << "}";
      }
    }
  }
  out << "\n]}\n";
}

}  // namespace deepsim

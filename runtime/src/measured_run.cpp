// Measured-run JSON and Perfetto trace writers (see measured_run.h).
#include "runtime/measured_run.h"

#include <algorithm>
#include <ctime>
#include <fstream>
#include <map>
#include <stdexcept>

namespace deepsim::runtime {
using nlohmann::json;

namespace {

json tag_json(const KernelTag& t) {
  return json{{"layer", t.layer}, {"op", t.op},   {"micro_batch", t.micro_batch}, {"phase", std::string(1, t.phase)},
              {"family", t.family}, {"m", t.m}, {"n", t.n}, {"k", t.k}};
}

}  // namespace

json to_json(const MeasuredRun& run) {
  json j;
  j["schema"] = 1;
  j["mode"] = run.mode;
  j["rank"] = run.rank;
  j["world_size"] = run.world_size;
  j["device"] = {{"name", run.device.name},     {"sm", run.device.sm},     {"sms", run.device.sms},
                 {"driver", run.device.driver}, {"cuda", run.device.cuda}, {"date", run.device.date}};
  j["config"] = run.config;
  json steps = json::array();
  for (const StepRecord& s : run.steps)
    steps.push_back({{"step", s.step}, {"time_ms", s.time_ms}, {"tokens", s.tokens}, {"loss", s.loss}});
  j["steps"] = std::move(steps);
  json kernels = json::array();
  for (const KernelRecord& k : run.kernels) {
    json e = {{"name", k.name},
              {"stream", k.stream},
              {"start_ns", k.start_ns},
              {"end_ns", k.end_ns},
              {"grid", {k.grid[0], k.grid[1], k.grid[2]}},
              {"block", {k.block[0], k.block[1], k.block[2]}}};
    e.update(tag_json(k.tag));
    kernels.push_back(std::move(e));
  }
  j["kernels"] = std::move(kernels);
  j["memory"] = {{"high_water_bytes", run.high_water_bytes}};
  return j;
}

json to_trace_json(const MeasuredRun& run) {
  json events = json::array();
  const int pid = run.rank;
  events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", pid}, {"args", {{"name", "rank " + std::to_string(run.rank)}}}});
  std::uint64_t t0 = UINT64_MAX;
  for (const KernelRecord& k : run.kernels) t0 = std::min(t0, k.start_ns);
  std::map<std::uint32_t, bool> streams;
  for (const KernelRecord& k : run.kernels) {
    if (!streams[k.stream]) {
      streams[k.stream] = true;
      events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", pid}, {"tid", k.stream},
                        {"args", {{"name", "stream " + std::to_string(k.stream)}}}});
    }
    json args = tag_json(k.tag);
    args["grid"] = {k.grid[0], k.grid[1], k.grid[2]};
    args["block"] = {k.block[0], k.block[1], k.block[2]};
    events.push_back({{"ph", "X"},
                      {"name", k.name},
                      {"cat", k.tag.family.empty() ? std::string("kernel") : k.tag.family},
                      {"pid", pid},
                      {"tid", k.stream},
                      {"ts", static_cast<double>(k.start_ns - t0) / 1e3},
                      {"dur", static_cast<double>(k.end_ns - k.start_ns) / 1e3},
                      {"args", std::move(args)}});
  }
  // Step spans on their own track (the CPU path has no kernels; the GPU path shows step boundaries).
  constexpr int kStepTrack = 1000000;
  events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", pid}, {"tid", kStepTrack}, {"args", {{"name", "steps"}}}});
  double ts_us = 0.0;
  for (const StepRecord& s : run.steps) {
    events.push_back({{"ph", "X"}, {"name", "step " + std::to_string(s.step)}, {"cat", "step"}, {"pid", pid},
                      {"tid", kStepTrack}, {"ts", ts_us}, {"dur", s.time_ms * 1e3},
                      {"args", {{"loss", s.loss}, {"tokens", s.tokens}}}});
    ts_us += s.time_ms * 1e3;
  }
  return json{{"traceEvents", std::move(events)}, {"displayTimeUnit", "ns"}};
}

void write_json_file(const json& j, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error(path + ": cannot write");
  out << j.dump(1) << "\n";
  if (!out) throw std::runtime_error(path + ": write failed");
}

std::vector<KernelSummary> top_kernels(const std::vector<KernelRecord>& kernels, std::size_t n) {
  std::map<std::string, KernelSummary> by_name;
  for (const KernelRecord& k : kernels) {
    KernelSummary& s = by_name[k.name];
    s.name = k.name;
    ++s.count;
    s.total_ms += static_cast<double>(k.end_ns - k.start_ns) / 1e6;
  }
  std::vector<KernelSummary> out;
  for (auto& [name, s] : by_name) out.push_back(s);
  std::stable_sort(out.begin(), out.end(), [](const KernelSummary& a, const KernelSummary& b) {
    return a.total_ms > b.total_ms;
  });
  if (out.size() > n) out.resize(n);
  return out;
}

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace deepsim::runtime

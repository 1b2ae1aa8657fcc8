// Measured-run JSON (docs/measured-run.md) and Perfetto trace writers (see measured_run.h).
#include "runtime/measured_run.h"

#include <algorithm>
#include <ctime>
#include <fstream>
#include <map>
#include <stdexcept>

#include "runtime/version.h"

namespace deepsim::runtime {
using nlohmann::json;

namespace {

std::string version_text(int v) {  // 13000 -> "13.0"
  return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
}

bool is_gemm(const std::string& family) {
  return family == "gemm_fp8" || family == "gemm_bf16" || family == "grouped_gemm_fp8" || family == "grouped_gemm_bf16";
}

// The family a kernel is written with. kGemmOpFamily marks an op made of GEMMs; a kernel launched under it
// but outside the GEMM engine's launch scope (a residual add, a cast) is auxiliary work, memory-bound.
std::string written_family(const KernelTag& t) { return t.family == kGemmOpFamily ? "memory_bound" : t.family; }

json kernel_json(const KernelRecord& k, int step) {
  json e = {{"name", k.name},
            {"stream", k.stream},
            {"start_ns", k.start_ns},
            {"end_ns", k.end_ns},
            {"grid", {k.grid[0], k.grid[1], k.grid[2]}},
            {"block", {k.block[0], k.block[1], k.block[2]}},
            {"step", step},
            {"op", k.tag.op}};
  if (k.tag.layer >= 0) e["layer"] = k.tag.layer;
  if (k.tag.micro_batch >= 0) e["micro_batch"] = k.tag.micro_batch;
  if (k.tag.phase != '\0') e["phase"] = std::string(1, k.tag.phase);
  const std::string family = written_family(k.tag);
  if (!family.empty()) e["family"] = family;
  if (is_gemm(family) && k.tag.m > 0) e["shape"] = {{"m", k.tag.m}, {"n", k.tag.n}, {"k", k.tag.k}, {"groups", 1}};
  return e;
}

}  // namespace

json to_json(const MeasuredRun& run) {
  json j;
  j["schema"] = kMeasuredRunSchema;
  j["device"] = {{"name", run.device.name},     {"sms", run.device.sms},
                 {"driver", version_text(run.device.driver)}, {"cuda", version_text(run.device.cuda)},
                 {"sm", run.device.sm}};
  if (run.device.memory_bandwidth_gbps > 0) j["device"]["memory_bandwidth_gbps"] = run.device.memory_bandwidth_gbps;
  if (run.device.sm_clock_khz > 0) j["device"]["sm_clock_khz"] = run.device.sm_clock_khz;
  if (run.device.memory_clock_khz > 0) j["device"]["memory_clock_khz"] = run.device.memory_clock_khz;
  if (run.device.memory_bus_width_bits > 0) j["device"]["memory_bus_width_bits"] = run.device.memory_bus_width_bits;
  if (run.device.memory_bytes > 0) j["device"]["memory_bytes"] = run.device.memory_bytes;
  if (run.device.l2_bytes > 0) j["device"]["l2_bytes"] = run.device.l2_bytes;
  if (!run.device.scenario_gpu.empty()) j["device"]["scenario_gpu"] = run.device.scenario_gpu;
  j["date"] = run.device.date;
  j["executor"] = std::string("deepsim-exec ") + version() + " (" + run.mode + ")";
  j["config"] = run.config_yaml;
  j["exec_config"] = run.config;
  j["rank"] = run.rank;
  j["ranks"] = run.world_size;
  json steps = json::array();
  for (const StepRecord& s : run.steps)
    steps.push_back({{"index", s.step},       {"start_ns", s.start_ns}, {"end_ns", s.end_ns},
                     {"warmup", s.step < run.warmup_steps}, {"time_ms", s.time_ms}, {"tokens", s.tokens},
                     {"loss", s.loss}});
  j["steps"] = std::move(steps);
  json kernels = json::array();
  for (const KernelRecord& k : run.kernels) {
    int step = -1;
    for (const StepRecord& s : run.steps)
      if (k.start_ns >= s.start_ns && k.start_ns <= s.end_ns) step = s.step;
    kernels.push_back(kernel_json(k, step));
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
  for (const StepRecord& s : run.steps) t0 = std::min(t0, s.start_ns);
  std::map<std::uint32_t, bool> streams;
  for (const KernelRecord& k : run.kernels) {
    if (!streams[k.stream]) {
      streams[k.stream] = true;
      events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", pid}, {"tid", k.stream},
                        {"args", {{"name", "stream " + std::to_string(k.stream)}}}});
    }
    json args = kernel_json(k, -1);
    events.push_back({{"ph", "X"},
                      {"name", k.name},
                      {"cat", k.tag.family.empty() ? std::string("kernel") : written_family(k.tag)},
                      {"pid", pid},
                      {"tid", k.stream},
                      {"ts", static_cast<double>(k.start_ns - t0) / 1e3},
                      {"dur", static_cast<double>(k.end_ns - k.start_ns) / 1e3},
                      {"args", std::move(args)}});
  }
  // Steps on their own track.
  constexpr int kStepTrack = 1000000;
  events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", pid}, {"tid", kStepTrack}, {"args", {{"name", "steps"}}}});
  for (const StepRecord& s : run.steps)
    events.push_back({{"ph", "X"}, {"name", "step " + std::to_string(s.step)}, {"cat", "step"}, {"pid", pid},
                      {"tid", kStepTrack}, {"ts", static_cast<double>(s.start_ns - t0) / 1e3},
                      {"dur", static_cast<double>(s.end_ns - s.start_ns) / 1e3},
                      {"args", {{"loss", s.loss}, {"tokens", s.tokens}, {"time_ms", s.time_ms}}}});
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

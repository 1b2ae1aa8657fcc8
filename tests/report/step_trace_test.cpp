// trace.json of a simulated step, checked against the trace-event format as Perfetto imports it (no
// trace processor in Debian): required fields per phase, a bounded set of slice names, slices that nest
// on every track, sends on the sender's own comm track, every flow arrow paired, counter tracks present
// (memory per GPU; link utilisation per class, from the link use the engine records in both network
// modes), and the same bytes from two runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sim/report/step_trace.h"
#include "sim/scenario/loader.h"
#include "sim/step/simulate.h"

namespace deepsim {
namespace {

using Json = nlohmann::json;

struct Trace {
  StepSimulation sim;
  Json json;
};

std::string trace_text(const std::vector<std::string>& overrides, StepSimulation* keep = nullptr) {
  StepOptions options;
  options.record_link_use = true;
  StepSimulation sim =
      simulate_step_full(load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/default.yaml", overrides), options);
  std::ostringstream out;
  write_step_trace(out, sim);
  if (keep != nullptr) *keep = std::move(sim);
  return out.str();
}

Trace trace_of(const std::vector<std::string>& overrides) {
  Trace t;
  t.json = Json::parse(trace_text(overrides, &t.sim));
  return t;
}

// Counter samples (ts, value) by counter name, in time order.
using Counters = std::map<std::string, std::vector<std::pair<double, double>>>;
Counters link_counters(const Json& trace) {
  Counters c;
  for (const Json& e : trace["traceEvents"])
    if (e["ph"] == "C" && std::string(e["name"]).rfind("utilisation ", 0) == 0)
      c[e["name"]].push_back({e["ts"].get<double>(), e["args"]["percent"].get<double>()});
  for (auto& [name, samples] : c) std::stable_sort(samples.begin(), samples.end(), [](auto& a, auto& b) { return a.first < b.first; });
  return c;
}

// The counter's value in effect at `ts` (0 before its first sample).
double value_at(const std::vector<std::pair<double, double>>& samples, double ts) {
  double v = 0;
  for (const auto& [t, x] : samples) {
    if (t > ts) break;
    v = x;
  }
  return v;
}

// The counter's largest value over [t0, t1).
double max_over(const std::vector<std::pair<double, double>>& samples, double t0, double t1) {
  double v = value_at(samples, t0);
  for (const auto& [t, x] : samples)
    if (t > t0 && t < t1) v = std::max(v, x);
  return v;
}

// Every class counter lies in [0, 100] and starts at t = 0; the scale-out and NVLink counters are
// nonzero while every dispatch runs (its all-to-all moves over both: in the flow model the NVLink
// forwarding of a dispatch can finish before its midpoint, so the check is over its whole span), and
// all end at 0.
void expect_link_counters(const Json& trace) {
  const Counters c = link_counters(trace);
  ASSERT_TRUE(c.count("utilisation nvlink (%)")) << "no NVLink counter";
  ASSERT_TRUE(c.count("utilisation nic-leaf (%)")) << "no NIC counter";
  for (const auto& [name, samples] : c) {
    ASSERT_FALSE(samples.empty()) << name;
    EXPECT_EQ(samples.front().first, 0.0) << name;
    EXPECT_EQ(samples.back().second, 0.0) << name << " does not end idle";
    EXPECT_LE(samples.size(), 2001u) << name;  // thinned to the writer's cap (+ the sample at t = 0)
    for (const auto& [t, v] : samples) {
      EXPECT_GE(v, 0.0) << name << " at " << t;
      EXPECT_LE(v, 100.0) << name << " at " << t;
    }
  }
  int dispatches = 0;
  for (const Json& e : trace["traceEvents"]) {
    if (e["ph"] != "X" || e["name"] != "dispatch" || e["dur"].get<double>() <= 0) continue;
    const double t0 = e["ts"].get<double>();
    const double t1 = t0 + e["dur"].get<double>();
    EXPECT_GT(max_over(c.at("utilisation nic-leaf (%)"), t0, t1), 0.0) << e.dump();
    EXPECT_GT(max_over(c.at("utilisation nvlink (%)"), t0, t1), 0.0) << e.dump();
    ++dispatches;
  }
  EXPECT_GT(dispatches, 0);
}

bool has_number(const Json& e, const char* key) { return e.contains(key) && e[key].is_number(); }

// The checks any step trace must pass, whatever the schedule.
void validate(const Trace& t) {
  const Json& events = t.json["traceEvents"];
  ASSERT_TRUE(events.is_array());
  std::set<std::string> names;
  std::map<std::pair<int, int>, std::string> thread_names;
  std::map<std::pair<int, int>, std::vector<std::pair<double, double>>> slices;  // (pid, tid) -> [ts, end]
  std::map<std::uint64_t, int> flow_starts, flow_ends;
  std::map<std::uint64_t, double> flow_start_ts;
  for (const Json& e : events) {
    ASSERT_TRUE(e.contains("ph") && e.contains("pid")) << e.dump();
    const std::string ph = e["ph"];
    if (ph == "M") {
      ASSERT_TRUE(e.contains("name") && e.contains("args")) << e.dump();
      if (e["name"] == "thread_name") thread_names[{e["pid"], e["tid"]}] = e["args"]["name"];
    } else if (ph == "X") {
      ASSERT_TRUE(e.contains("name") && e.contains("cat") && e.contains("tid") && has_number(e, "ts") &&
                  has_number(e, "dur"))
          << e.dump();
      EXPECT_GE(e["dur"].get<double>(), 0.0);
      names.insert(e["name"]);
      slices[{e["pid"], e["tid"]}].push_back({e["ts"].get<double>(), e["ts"].get<double>() + e["dur"].get<double>()});
    } else if (ph == "C") {
      ASSERT_TRUE(e.contains("name") && has_number(e, "ts") && e["args"].is_object()) << e.dump();
      for (const auto& [k, v] : e["args"].items()) EXPECT_TRUE(v.is_number()) << k;
    } else if (ph == "s" || ph == "f") {
      ASSERT_TRUE(e.contains("id") && e.contains("tid") && has_number(e, "ts")) << e.dump();
      const auto id = e["id"].get<std::uint64_t>();
      if (ph == "s") {
        ++flow_starts[id];
        flow_start_ts[id] = e["ts"];
      } else {
        EXPECT_EQ(e["bp"], "e") << e.dump();  // binds to the slice that encloses it
        ++flow_ends[id];
      }
    } else {
      ADD_FAILURE() << "unexpected phase " << ph;  // no async b/e: they made ~240 tracks named by slice
    }
  }
  // 50,492 distinct names before (layer, micro-batch and stage in the name); now ops only.
  EXPECT_LE(names.size(), kStepOpCount);
  for (const auto& [track, list] : slices) {
    EXPECT_TRUE(thread_names.count(track)) << "track " << track.first << "/" << track.second << " has no name";
    auto sorted = list;
    std::sort(sorted.begin(), sorted.end());
    // One slice per instant on every track (the builders' tracks never nest): each starts after the
    // one before it ends, up to the picosecond rounding of the microsecond timestamps.
    for (std::size_t i = 1; i < sorted.size(); ++i) EXPECT_GE(sorted[i].first, sorted[i - 1].second - 1e-6);
  }
  EXPECT_FALSE(flow_starts.empty());
  EXPECT_EQ(flow_starts.size(), flow_ends.size());
  for (const auto& [id, n] : flow_starts) {
    EXPECT_EQ(n, 1) << id;
    EXPECT_EQ(flow_ends[id], 1) << "flow " << id << " has no end";
  }
}

TEST(StepTrace, DualPipeTraceIsValidAndGroupsByOp) {
  const Trace t = trace_of({"parallel.micro_batches=32", "training.global_batch=4096"});
  validate(t);
  std::map<std::pair<int, int>, std::string> thread_names;
  bool attn_args = false, send_on_comm = false, memory = false, link = false;
  for (const Json& e : t.json["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name") thread_names[{e["pid"], e["tid"]}] = e["args"]["name"];
  }
  for (const Json& e : t.json["traceEvents"]) {
    if (e["ph"] == "X" && e["name"] == "attn fwd") {
      const Json& a = e["args"];
      attn_args = a["layer"].is_number() && a["micro_batch"].is_number() && a["stage"].is_number() &&
                  a["chunk"].is_number() && a["flops"].get<double>() > 0;
    }
    if (e["ph"] == "X" && (e["name"] == "send act" || e["name"] == "send grad")) {
      EXPECT_EQ(e["pid"], e["args"]["gpu"]) << e.dump();  // the sender's own process
      const std::string thread = thread_names[{e["pid"], e["tid"]}];
      EXPECT_EQ(thread.rfind("comm", 0), 0u) << thread;  // its comm track (or a comm lane)
      EXPECT_GT(e["args"]["bytes"].get<double>(), 0.0);
      send_on_comm = true;
    }
    if (e["ph"] == "C" && e["name"] == "memory in use (GB)") memory = true;
    if (e["ph"] == "C" && std::string(e["name"]).rfind("utilisation ", 0) == 0) link = true;
  }
  EXPECT_TRUE(attn_args);
  EXPECT_TRUE(send_on_comm);
  EXPECT_TRUE(memory);
  // Link-utilisation counters from the link use the engine recorded (the analytic model's durations).
  EXPECT_TRUE(link);
  expect_link_counters(t.json);
}

// The flow model's counters (every collective step as flows on the max-min network), and the same
// trace bytes from two runs of one scenario.
TEST(StepTrace, FlowModeHasLinkCountersAndTwoRunsWriteTheSameBytes) {
  const std::vector<std::string> overrides = {"parallel.micro_batches=32", "training.global_batch=4096",
                                              "simulation.network=flow"};
  const std::string first = trace_text(overrides);
  const Json json = Json::parse(first);
  expect_link_counters(json);
  EXPECT_EQ(first, trace_text(overrides));
}

// The memory counter's peak is the memory model's: states plus the schedule's in-flight micro-batches
// (1F1B: stage 0 holds pp of them at its peak).
TEST(StepTrace, MemoryCounterPeaksAtTheModelsPeak) {
  const Trace t = trace_of({"parallel.micro_batches=32", "training.global_batch=4096", "parallel.schedule=1f1b"});
  validate(t);
  const RankResult& r0 = t.sim.result.ranks.at(0);
  double peak_gb = 0;
  for (const Json& e : t.json["traceEvents"])
    if (e["ph"] == "C" && e["name"] == "memory in use (GB)" && e["pid"] == r0.gpu)
      peak_gb = std::max(peak_gb, e["args"]["GB"].get<double>());
  EXPECT_NEAR(peak_gb, r0.peak_memory.value() / 1e9, 1e-3 * peak_gb);
}

}  // namespace
}  // namespace deepsim

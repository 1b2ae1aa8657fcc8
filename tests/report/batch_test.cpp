// Batch runs (batch_runner.h) with the synthetic step: input order in results.csv whatever the thread
// count, a failing scenario recorded while the rest go on, and a second run that reuses every result.
#include "sim/report/batch_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include <sys/stat.h>

#include "sim/core/error.h"
#include "sim/report/run_report.h"
#include "sim/scenario/loader.h"
#include "tests/forecast/forecast_test_support.h"

namespace deepsim {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

// A base scenario and a sweep of 2 (grid) x 2 (zip) = 4 points; the zip's second point asks for dp 3,
// which does not divide 16 GPUs into pp 2, so it fails to load.
struct BatchFixture : ::testing::Test {
  // One directory per test: ctest runs the tests of this fixture as concurrent processes.
  fs::path dir = fs::temp_directory_path() /
                 ("deepsim_batch_test_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  void SetUp() override {
    fs::remove_all(dir);
    fs::create_directories(dir / "in");
    write(dir / "in" / "base.yaml", test::small_run_yaml());
    write(dir / "in" / "sweep.yaml",
          "sweep: 1\nbase: base.yaml\ngrid:\n  pricing.usd_per_gpu_hour: [2, 3]\nzip:\n  parallel.dp: [8, 3]\n"
          "  parallel.ep: [8, 1]\n");
  }
  void TearDown() override { fs::remove_all(dir); }

  BatchOutcome run(int threads, std::atomic<int>* calls = nullptr) {
    const BatchJobs jobs({(dir / "in" / "base.yaml").string(), (dir / "in" / "sweep.yaml").string()});
    BatchOptions o;
    o.out_dir = dir / "out";
    o.threads = threads;
    o.deepsim_version = "0.0.0-test";
    o.step = [calls](const Scenario& s) {
      if (calls != nullptr) ++*calls;
      return test::synthetic_step(s);
    };
    o.inventory = [](const ClusterSpec&) { return NetworkInventory{16, 10, 64, 32}; };
    return run_batch(jobs, o);
  }
};

TEST_F(BatchFixture, RowsInInputOrderWithTheFailureRecorded) {
  const BatchOutcome out = run(3);
  EXPECT_EQ(out.total, 5u);
  EXPECT_EQ(out.computed, 3u);
  EXPECT_EQ(out.failed, 2u);
  std::istringstream csv(read(dir / "out" / "results.csv"));
  std::string line;
  std::getline(csv, line);  // header
  std::vector<std::string> status;
  for (int i = 0; std::getline(csv, line); ++i) {
    EXPECT_EQ(line.substr(0, line.find(',')), std::to_string(i));
    status.push_back(line.find(",ok,") != std::string::npos ? "ok" : "error");
  }
  EXPECT_EQ(status, (std::vector<std::string>{"ok", "ok", "error", "ok", "error"}));
  const std::string summary = read(dir / "out" / "summary.md");
  EXPECT_NE(summary.find("5 scenarios: 3 ok, 2 failed"), std::string::npos);
  EXPECT_NE(summary.find("parallel.dp"), std::string::npos);  // the failure names its point
}

TEST_F(BatchFixture, SecondRunReusesEveryResultByHash) {
  std::atomic<int> first_calls = 0, second_calls = 0;
  (void)run(2, &first_calls);
  const std::string csv = read(dir / "out" / "results.csv");
  const std::string summary = read(dir / "out" / "summary.html");
  const BatchOutcome again = run(1, &second_calls);
  EXPECT_GT(first_calls.load(), 0);
  EXPECT_EQ(second_calls.load(), 0);  // nothing simulated
  EXPECT_EQ(again.reused, 3u);
  EXPECT_EQ(again.computed, 0u);
  EXPECT_EQ(read(dir / "out" / "results.csv"), csv);  // same rows, same bytes, any thread count
  EXPECT_EQ(read(dir / "out" / "summary.html"), summary);
}

TEST_F(BatchFixture, BadSweepKeyFailsBeforeAnythingRuns) {
  write(dir / "in" / "bad.yaml", "sweep: 1\nbase: base.yaml\ngrid:\n  parallel.epp: [1]\n");
  const std::vector<std::string> files = {(dir / "in" / "bad.yaml").string()};
  EXPECT_THROW(BatchJobs{files}, InputError);
}

// Issue 18: a sweep over hbm_gb: [1, 80, 141] ranked the 1 GB point first. A plan over HBM is now marked
// in results.csv (fits,min_headroom_bytes), listed apart in the summary and never ranked.
TEST_F(BatchFixture, PlansThatDoNotFitAreListedApartAndNeverRanked) {
  // The synthetic step's ranks peak at 60 GB and 61 GB.
  write(dir / "in" / "hbm.yaml", "sweep: 1\nbase: base.yaml\ngrid:\n  cluster.gpu_overrides.hbm_gb: [1, 80, 141]\n");
  const BatchJobs jobs({(dir / "in" / "hbm.yaml").string()});
  BatchOptions o;
  o.out_dir = dir / "out";
  o.deepsim_version = "0.0.0-test";
  o.step = [](const Scenario& s) { return test::synthetic_step(s); };
  o.inventory = [](const ClusterSpec&) { return NetworkInventory{16, 10, 64, 32}; };
  const BatchOutcome out = run_batch(jobs, o);
  EXPECT_EQ(out.computed, 3u);
  EXPECT_EQ(out.does_not_fit, 1u);
  std::istringstream csv(read(dir / "out" / "results.csv"));
  std::string header, first, second;
  std::getline(csv, header);
  std::getline(csv, first);
  std::getline(csv, second);
  EXPECT_NE(header.find(",fits,min_headroom_bytes,error"), std::string::npos) << header;
  EXPECT_NE(first.find(",false,-6e+10,"), std::string::npos) << first;  // 1 GB - 61 GB
  EXPECT_NE(second.find(",true,1.9e+10,"), std::string::npos) << second;  // 80 GB - 61 GB
  const std::string summary = read(dir / "out" / "summary.md");
  EXPECT_NE(summary.find("3 scenarios: 2 ok, 1 do not fit in HBM, 0 failed"), std::string::npos) << summary;
  const auto cheapest = summary.find("## Cheapest"), apart = summary.find("## Do not fit in HBM");
  ASSERT_NE(apart, std::string::npos) << summary;
  const std::string ranked = summary.substr(cheapest, apart - cheapest);
  EXPECT_EQ(ranked.find("hbm_gb=1 "), std::string::npos) << ranked;
  EXPECT_EQ(ranked.find("hbm_gb=1|"), std::string::npos) << ranked;
  EXPECT_NE(summary.substr(apart).find("hbm_gb=1"), std::string::npos) << summary;
  const auto result = nlohmann::ordered_json::parse(read(dir / "out" / "runs" /
                                                         first.substr(first.find(",ok,") + 4, 16) / "result.json"));
  EXPECT_FALSE(result.at("memory").at("fits").get<bool>());
  EXPECT_EQ(result.at("memory").at("ranks").at(1).at("headroom_bytes").get<double>(), 1e9 - 61e9);
}

TEST_F(BatchFixture, AFifoInTheListIsRefusedBeforeAnythingRuns) {
  const fs::path fifo = dir / "in" / "pipe.yaml";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const std::vector<std::string> files = {fifo.string()};
  EXPECT_THROW(BatchJobs{files}, InputError);  // used to block forever reading it
}

// Issue 18: the input hash covered to_yaml but not the trace it names: an edited trace reused the old
// result. The hash now covers the trace's bytes; and a relative trace path is read beside the scenario.
TEST_F(BatchFixture, EditingTheRoutingTraceChangesTheInputHash) {
  write(dir / "in" / "trace.csv", "step,layer,expert,tokens\n0,0,0,10\n0,0,1,20\n");
  const std::string yaml = test::small_run_yaml() + "moe: {source: trace, trace_path: trace.csv}\n";
  write(dir / "in" / "traced.yaml", yaml);
  const Scenario a = load_scenario_file((dir / "in" / "traced.yaml").string());
  EXPECT_EQ(a.moe.trace_path, (dir / "in" / "trace.csv").lexically_normal().string());  // beside the scenario
  const std::string before = input_hash(a, "v");
  write(dir / "in" / "trace.csv", "step,layer,expert,tokens\n0,0,0,10\n0,0,1,21\n");
  EXPECT_NE(input_hash(a, "v"), before);
  // The same scenario through a relative and an absolute path: the same resolved YAML and hash.
  const fs::path cwd = fs::current_path();
  fs::current_path(dir);
  const Scenario rel = load_scenario_file("in/traced.yaml");
  fs::current_path(cwd);
  EXPECT_EQ(to_yaml(rel), to_yaml(a));
  EXPECT_EQ(input_hash(rel, "v"), input_hash(a, "v"));
}

}  // namespace
}  // namespace deepsim

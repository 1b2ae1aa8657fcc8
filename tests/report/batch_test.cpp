// Batch runs (batch_runner.h) with the synthetic step: input order in results.csv whatever the thread
// count, a failing scenario recorded while the rest go on, and a second run that reuses every result.
#include "sim/report/batch_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/core/error.h"
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

}  // namespace
}  // namespace deepsim

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
#include "sim/report/batch_summary.h"
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

  BatchOutcome run(int threads, std::atomic<int>* calls = nullptr, bool reports = false) {
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
    o.reports = reports;
    return run_batch(jobs, o);
  }
};

BatchRow row(std::uint64_t index, double days, double cost, bool fits = true) {
  BatchRow r;
  r.index = index;
  r.ok = true;
  r.hash = "h" + std::to_string(index);
  r.label = "p" + std::to_string(index);
  r.days = days;
  r.cost_usd = cost;
  r.fits = fits;
  return r;
}

// The Pareto front of cost against days: no plan that fits is both no slower and no dearer; of two equal
// points the earlier stays; a plan over HBM is never on it, however cheap.
TEST(BatchSummary, ParetoFrontKeepsTheUndominatedPlansThatFit) {
  BatchSummary s;
  for (const BatchRow& r : {row(0, 1, 10), row(1, 2, 5), row(2, 3, 6), row(3, 2, 5), row(4, 0.5, 20), row(5, 0.1, 1, false),
                            row(6, 1.5, 10)})
    s.add(r);
  std::vector<std::uint64_t> front;
  for (const BatchRow& r : s.pareto()) front.push_back(r.index);
  EXPECT_EQ(front, (std::vector<std::uint64_t>{4, 0, 1}));
  const std::string html = s.html("t");
  EXPECT_NE(html.find(">wall-clock time of the whole run (days)<"), std::string::npos);
  EXPECT_NE(html.find(">cost of the whole run (million USD)<"), std::string::npos);
  EXPECT_NE(html.find("#4 p4: 0.50 days, $20 (Pareto front)"), std::string::npos);
  EXPECT_NE(html.find("#5 p5: 0.10 days, $1 (does not fit in HBM)"), std::string::npos);
  EXPECT_EQ(html.find("#2 p2: 3.00 days, $6 (Pareto"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"runs/h2/result.json\">"), std::string::npos);
}

TEST_F(BatchFixture, SummaryHasTheChartTheNewColumnsAndLinksToEachReport) {
  (void)run(2, nullptr, /*reports=*/true);
  const std::string html = read(dir / "out" / "summary.html"), md = read(dir / "out" / "summary.md");
  for (const char* col : {"<th>bubble</th>", "<th>exposed comm</th>", "<th>memory (HBM)</th>", "<th>report</th>"})
    EXPECT_NE(html.find(col), std::string::npos) << col;
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(md.find("## Pareto front (cost against days)"), std::string::npos);
  // Every computed scenario has its report set, and the summary links to its report.html.
  int linked = 0;
  for (const auto& e : fs::directory_iterator(dir / "out" / "runs")) {
    const std::string hash = e.path().filename().string();
    for (const char* f : {"report.html", "report.md", "result.json", "phases.csv", "ranks.csv"})
      EXPECT_TRUE(fs::exists(e.path() / f)) << hash << "/" << f;
    EXPECT_NE(html.find("href=\"runs/" + hash + "/report.html\""), std::string::npos) << hash;
    ++linked;
  }
  EXPECT_EQ(linked, 3);
  // The sweep's points differ only in price: the same days, so the cheapest alone is on the front.
  const auto front = md.find("## Pareto front"), next = md.find("## Cheapest");
  const std::string front_md = md.substr(front, next - front);
  EXPECT_NE(front_md.find("usd_per_gpu_hour=2"), std::string::npos) << front_md;
  EXPECT_EQ(front_md.find("usd_per_gpu_hour=3"), std::string::npos) << front_md;
}

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

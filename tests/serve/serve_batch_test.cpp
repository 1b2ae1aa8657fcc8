// Serving sweeps in the batch runner (sim/serve/serve_batch.h): each row's serve columns are what
// run_serve gives for that point alone; the same bytes on a second run and with another thread count;
// the report set per point; a batch mixing kinds, a misspelt kind and a serve sweep over a scenario
// without serving: are input errors at the sweep's kind: key, before anything runs.
#include "sim/serve/serve_batch.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "sim/core/error.h"
#include "sim/scenario/loader.h"
#include "sim/serve/serve_run.h"
#include "tests/scenario/scenario_test_support.h"

namespace deepsim {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

// results.csv as one map of column -> field per row (the serve columns hold no commas or quotes).
std::vector<std::map<std::string, std::string>> read_csv(const fs::path& p) {
  std::istringstream in(test::read_text(p.string()));
  const auto split = [](const std::string& line) {
    std::vector<std::string> out;
    std::istringstream s(line);
    for (std::string f; std::getline(s, f, ',');) out.push_back(f);
    if (!line.empty() && line.back() == ',') out.emplace_back();
    return out;
  };
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = split(line);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    const std::vector<std::string> f = split(line);
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < f.size(); ++i) row[header[i]] = f[i];
    rows.push_back(row);
  }
  return rows;
}

// A 3-point serving sweep of the shipped scenario: decode EP144 and EP288 at MTP 0.85, and EP288 at 0.7.
struct ServeBatchFixture : ::testing::Test {
  fs::path dir = fs::temp_directory_path() /
                 ("deepsim_serve_batch_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  std::string base = test::source_path("scenarios/serving/deepseek-v3-h800.yaml");
  void SetUp() override {
    fs::remove_all(dir);
    fs::create_directories(dir / "in");
    write(dir / "in" / "sweep.yaml", "sweep: 1\nkind: serve\nbase: " + base +
                                         "\nset: {serving.what_if: false}\nzip:\n  serving.decode.ep: [144, 288, 288]\n"
                                         "  serving.decode.mtp_acceptance: [0.85, 0.85, 0.7]\n");
  }
  void TearDown() override { fs::remove_all(dir); }
  BatchOutcome run(const std::string& out, int threads, bool reports = false) {
    const BatchJobs jobs({(dir / "in" / "sweep.yaml").string()});
    check_serve_batch(jobs);
    BatchOptions o;
    o.out_dir = dir / out;
    o.threads = threads;
    o.deepsim_version = "0.0.0-test";
    o.kind = std::make_shared<ServeBatchKind>();
    o.reports = reports;
    return run_batch(jobs, o);
  }
};

TEST_F(ServeBatchFixture, EachRowIsRunServeOfItsPointAlone) {
  const BatchOutcome out = run("out", 2);
  EXPECT_EQ(out.computed, 3u);
  EXPECT_EQ(out.failed, 0u);
  const auto rows = read_csv(dir / "out" / "results.csv");
  ASSERT_EQ(rows.size(), 3u);
  const Sweep sweep = load_sweep_file((dir / "in" / "sweep.yaml").string());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    EXPECT_EQ(row.at("status"), "ok");
    const ServeResult r = run_serve(load_scenario_file(base, sweep.overrides_at(i)));
    // Shortest round-trip text: the field parses back to the very double run_serve computed.
    const auto expect = [&](const char* column, double value) { EXPECT_EQ(std::stod(row.at(column)), value) << column << " #" << i; };
    expect("decode.ep", r.decode.ep);
    expect("decode.batch_per_gpu", r.decode.batch_per_gpu);
    expect("decode.accepted_per_step", r.decode.accepted_per_step);
    expect("decode.tpot_s", r.decode.tpot.seconds());
    expect("decode.step_s", r.decode.step.seconds());
    expect("decode.ep_bound_tpot_s", r.decode.ep_bound_tpot.seconds());
    expect("decode.output_tokens_per_s_node", r.decode.output_tokens_per_s_node);
    expect("prefill.input_tokens_per_s_node", r.prefill.input_tokens_per_s_node);
    expect("prefill.ttft_s", r.sizing.ttft.seconds());
    expect("sizing.prefill_nodes_load", r.sizing.prefill_nodes_load);
    expect("sizing.decode_nodes_load", r.sizing.decode_nodes_load);
    expect("sizing.decode_nodes", r.sizing.decode_nodes);
    expect("sizing.cost_usd_per_day_load", r.sizing.usd_per_day_load);
    expect("sizing.usd_per_m_input_miss", r.sizing.usd_per_m_input_miss);
    expect("sizing.usd_per_m_input_hit", r.sizing.usd_per_m_input_hit);
    expect("sizing.usd_per_m_output", r.sizing.usd_per_m_output);
    EXPECT_EQ(row.at("decode.meets_tpot"), r.decode.meets_tpot ? "true" : "false");
    EXPECT_EQ(row.at("gpu"), "H800");
  }
  // The points differ: the sweep reached the decode unit.
  EXPECT_NE(rows[0].at("decode.tpot_s"), rows[1].at("decode.tpot_s"));
  EXPECT_NE(rows[1].at("decode.accepted_per_step"), rows[2].at("decode.accepted_per_step"));
  const std::string md = test::read_text((dir / "out" / "summary.md").string());
  EXPECT_NE(md.find("## Cheapest ($ per 1M output tokens)"), std::string::npos) << md;
  EXPECT_NE(md.find("## Fastest (TPOT)"), std::string::npos) << md;
  EXPECT_NE(md.find("3 scenarios: 3 ok, 0 failed"), std::string::npos) << md;
}

TEST_F(ServeBatchFixture, SameSweepSameBytesAndASecondRunReusesEveryPoint) {
  (void)run("a", 1);
  (void)run("b", 3);
  const std::string csv = test::read_text((dir / "a" / "results.csv").string());
  EXPECT_EQ(test::read_text((dir / "b" / "results.csv").string()), csv);
  EXPECT_EQ(test::read_text((dir / "b" / "summary.html").string()), test::read_text((dir / "a" / "summary.html").string()));
  const BatchOutcome again = run("a", 2);
  EXPECT_EQ(again.reused, 3u);
  EXPECT_EQ(again.computed, 0u);
  EXPECT_EQ(test::read_text((dir / "a" / "results.csv").string()), csv);
}

TEST_F(ServeBatchFixture, ReportsWriteEachPointsServeReportSet) {
  (void)run("out", 2, /*reports=*/true);
  const std::string html = test::read_text((dir / "out" / "summary.html").string());
  int points = 0;
  for (const auto& e : fs::directory_iterator(dir / "out" / "runs")) {
    for (const char* f : {"report.md", "report.html", "result.json", "trace.json"})
      EXPECT_TRUE(fs::exists(e.path() / f)) << e.path() << "/" << f;
    const auto j = nlohmann::json::parse(test::read_text((e.path() / "result.json").string()));
    EXPECT_EQ(j.at("input_hash").get<std::string>(), e.path().filename().string());
    EXPECT_GT(j.at("serve").at("decode").at("tpot_s").get<double>(), 0);
    EXPECT_NE(html.find("href=\"runs/" + e.path().filename().string() + "/report.html\""), std::string::npos);
    ++points;
  }
  EXPECT_EQ(points, 3);
}

TEST_F(ServeBatchFixture, ABadPointIsAnErrorRowAtItsKey) {
  write(dir / "in" / "sweep.yaml", "sweep: 1\nkind: serve\nbase: " + base +
                                       "\nset: {serving.what_if: false}\ngrid:\n  serving.decode.ep: [100, 144]\n");
  const BatchOutcome out = run("out", 1);
  EXPECT_EQ(out.failed, 1u);
  EXPECT_EQ(out.bad_input, 1u);
  std::istringstream csv(test::read_text((dir / "out" / "results.csv").string()));
  std::string header, bad, good;
  std::getline(csv, header);
  std::getline(csv, bad);
  std::getline(csv, good);
  EXPECT_EQ(bad.rfind("0,", 0), 0u) << bad;
  EXPECT_NE(bad.find(",error,"), std::string::npos) << bad;
  EXPECT_NE(bad.find("serving.decode.ep"), std::string::npos) << bad;  // the error names its key
  EXPECT_NE(good.find(",ok,"), std::string::npos) << good;
}

// The error names the sweep, the line of its kind: key and the key.
void expect_kind_error(const std::function<void()>& f, const fs::path& sweep, int line, const std::string& words) {
  try {
    f();
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "kind");
    EXPECT_EQ(e.pos().file, sweep.string());
    EXPECT_EQ(e.pos().line, line);
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    EXPECT_FALSE(e.hint().empty());
  }
}

TEST_F(ServeBatchFixture, MixedOrInvalidKindsAreInputErrorsAtTheKindKey) {
  const fs::path sweep = dir / "in" / "sweep.yaml";
  // A serving sweep and a training scenario in one batch: one results.csv cannot hold both.
  expect_kind_error([&] { (void)BatchJobs({test::source_path("scenarios/default.yaml"), sweep.string()}); }, sweep, 2, "one kind");
  expect_kind_error([&] { (void)BatchJobs({sweep.string(), test::source_path("scenarios/default.yaml")}); }, sweep, 2, "one kind");
  const fs::path typo = dir / "in" / "typo.yaml";
  write(typo, "sweep: 1\nbase: " + base + "\nkind: serv\ngrid:\n  serving.decode.ep: [144]\n");
  expect_kind_error([&] { (void)BatchJobs({typo.string()}); }, typo, 3, "train or serve");
  // kind: serve over a scenario with no serving: section.
  const fs::path training = dir / "in" / "training.yaml";
  write(training, "sweep: 1\nkind: serve\nbase: " + test::source_path("scenarios/default.yaml") + "\ngrid:\n  parallel.ep: [8]\n");
  const BatchJobs jobs({training.string()});
  expect_kind_error([&] { check_serve_batch(jobs); }, training, 2, "no serving: section");
}

}  // namespace
}  // namespace deepsim

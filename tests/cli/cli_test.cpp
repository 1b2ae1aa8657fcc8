// Runs the real `deepsim` binary: exit codes, error format, files written.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/cli/cli_runner.h"
#include "tests/forecast/forecast_test_support.h"

namespace {

using Result = deepsim::test::CliResult;

Result deepsim(const std::string& args, const std::string& redirect = "2>&1") {
  return deepsim::test::run_deepsim(args, redirect);
}

// stdout only (stderr discarded): what a script reading `--json` sees.
Result deepsim_stdout(const std::string& args) {
  return deepsim(args, "2>/dev/null");
}

std::string src(const std::string& rel) { return std::string(DEEPSIM_SOURCE_DIR) + "/" + rel; }

TEST(Cli, VersionAndHelp) {
  const Result v = deepsim("--version");
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.out.rfind("deepsim ", 0), 0u);
  const Result h = deepsim("--help");
  EXPECT_EQ(h.code, 0);
  for (const char* c : {"run", "validate", "model", "topo", "net-bench"}) EXPECT_NE(h.out.find(c), std::string::npos) << c;
  const Result rh = deepsim("run --help");
  EXPECT_EQ(rh.code, 0);
  EXPECT_NE(rh.out.find("--out DIR"), std::string::npos);
}

TEST(Cli, ValidateTypoPrintsFileLineAndDidYouMeanAndExitsTwo) {
  const Result r = deepsim("validate " + src("tests/scenario/data/typo.yaml"));
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("typo.yaml:12:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("did you mean 'micro_batches'?"), std::string::npos) << r.out;
}

TEST(Cli, ValidateDefaultIsOk) {
  const Result r = deepsim("validate " + src("scenarios/default.yaml"));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("2048 x H800"), std::string::npos) << r.out;
}

TEST(Cli, UnknownCommandsAndOptionsAreBadInput) {
  const Result c = deepsim("rnu " + src("scenarios/default.yaml"));
  EXPECT_EQ(c.code, 2);
  EXPECT_NE(c.out.find("did you mean 'run'?"), std::string::npos) << c.out;
  const Result o = deepsim("run " + src("scenarios/default.yaml") + " --otu x");
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.out.find("did you mean '--out'?"), std::string::npos) << o.out;
  const Result m = deepsim("run");
  EXPECT_EQ(m.code, 2);
  const Result f = deepsim("run /nonexistent/scenario.yaml");
  EXPECT_EQ(f.code, 2) << f.out;
}

TEST(Cli, SetOverrideErrorsNameTheOverride) {
  const Result r = deepsim("validate " + src("scenarios/default.yaml") + " --set parallel.pp=15");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("2048"), std::string::npos) << r.out;  // pp x dp x tp does not match the GPUs
}

TEST(Cli, ModelPrintsDeepSeekV3Figures) {
  const Result r = deepsim("model deepseek-v3");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("671.03B"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("70272 B"), std::string::npos) << r.out;
  EXPECT_EQ(deepsim("model deepsek-v3").code, 2);
}

TEST(Cli, RunWritesResultJsonAndReport) {
  const auto dir = std::filesystem::path(DEEPSIM_BINARY_DIR) / "cli_test_out";
  std::filesystem::remove_all(dir);
  const Result r = deepsim("run " + src("scenarios/default.yaml") + " --quiet --out " + dir.string());
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream in(dir / "result.json");
  ASSERT_TRUE(in.good());
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["model"]["params_total"].get<std::int64_t>(), 671'026'419'200);
  EXPECT_TRUE(std::filesystem::exists(dir / "report.md"));
}

TEST(Cli, SameScenarioGivesByteIdenticalResults) {
  const auto a = std::filesystem::path(DEEPSIM_BINARY_DIR) / "cli_det_a";
  const auto b = std::filesystem::path(DEEPSIM_BINARY_DIR) / "cli_det_b";
  ASSERT_EQ(deepsim("run " + src("scenarios/default.yaml") + " --quiet --out " + a.string()).code, 0);
  ASSERT_EQ(deepsim("run " + src("scenarios/default.yaml") + " --quiet --out " + b.string()).code, 0);
  for (const auto& entry : std::filesystem::directory_iterator(a)) {
    std::ifstream fa(entry.path()), fb(b / entry.path().filename());
    std::stringstream sa, sb;
    sa << fa.rdbuf();
    sb << fb.rdbuf();
    EXPECT_EQ(sa.str(), sb.str()) << entry.path().filename();
  }
}

TEST(Cli, TopoDescribesTheDefaultFabric) {
  const Result r = deepsim("topo " + src("scenarios/default.yaml"));
  EXPECT_EQ(r.code, 0) << r.out;
  // 8 planes x (8 leaves + 4 spines) of radix-64 switches for 2048 NICs.
  EXPECT_NE(r.out.find("leaf 64, spine 32"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("8192 transceivers"), std::string::npos) << r.out;
}

TEST(Cli, NetBenchPrintsANcclTestsTableAndRejectsBadFlags) {
  const Result r = deepsim("net-bench " + src("scenarios/default.yaml") + " --collective all-reduce --gpus 8 --bytes 1M,8M");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("busbw"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("8388608"), std::string::npos) << r.out;
  const Result bad = deepsim("net-bench " + src("scenarios/default.yaml") + " --collective all-reduse");
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.out.find("did you mean 'all-reduce'?"), std::string::npos) << bad.out;
  EXPECT_EQ(deepsim("net-bench " + src("scenarios/default.yaml") + " --bytes 12X").code, 2);
  EXPECT_EQ(deepsim("net-bench " + src("scenarios/default.yaml") + " --gpus 1").code, 2);
}

TEST(Cli, NetBenchSweepsSizesLikeNcclTests) {
  const std::string scen = src("scenarios/default.yaml");
  // -b 8 -e 128M -f 2: 8, 16, ..., 2^27: 25 rows, nccl-tests' columns and footer.
  const Result t = deepsim("net-bench " + scen + " --gpus 8 -b 8 -e 128M -f 2");
  ASSERT_EQ(t.code, 0) << t.out;
  for (const char* col : {"size", "count", "type", "redop", "root", "time", "algbw", "busbw", "#wrong", "proto"})
    EXPECT_NE(t.out.find(col), std::string::npos) << col;
  EXPECT_NE(t.out.find("# Avg bus bandwidth    : "), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("134217728"), std::string::npos) << t.out;
  const Result j = deepsim_stdout("net-bench " + scen + " --gpus 8 -b 8 -e 128M -f 2 --json");
  ASSERT_EQ(j.code, 0) << j.out;
  const auto nj = nlohmann::json::parse(j.out);
  ASSERT_EQ(nj["rows"].size(), 25u);
  EXPECT_EQ(nj["rows"][0]["count"].get<long long>(), 2);  // 8 B of float
  EXPECT_EQ(nj["rows"][0]["type"], "float");
  EXPECT_EQ(nj["rows"][0]["redop"], "sum");
  // 8 B on 8 H800 GPUs: NCCL's LL ring, 6.6 + 14 x 0.6 = 15 us (protocol_model.h).
  EXPECT_EQ(nj["rows"][0]["protocol"], "LL");
  EXPECT_NEAR(nj["rows"][0]["time_s"].get<double>(), 15e-6, 1e-8);
  EXPECT_EQ(nj["rows"][24]["protocol"], "Simple");
  double mean = 0;
  for (const auto& r : nj["rows"]) mean += r["busbw_gb_per_s"].get<double>() / 25.0;
  EXPECT_NEAR(nj["avg_busbw_gb_per_s"].get<double>(), mean, 1e-9);
  // all-gather: count is per rank (1 MiB / 4 B / 8 ranks), no reduction.
  const Result ag = deepsim_stdout("net-bench " + scen + " --gpus 8 --collective all-gather -b 1M -d half --json");
  ASSERT_EQ(ag.code, 0) << ag.out;
  const auto aj = nlohmann::json::parse(ag.out);
  EXPECT_EQ(aj["rows"][0]["count"].get<long long>(), 1048576 / 2 / 8);
  EXPECT_EQ(aj["rows"][0]["redop"], "none");
  // Bad sweeps are input errors (exit 2).
  EXPECT_EQ(deepsim("net-bench " + scen + " -b 1M --bytes 2M").code, 2);
  EXPECT_EQ(deepsim("net-bench " + scen + " -b 1M -e 1K").code, 2);
  EXPECT_EQ(deepsim("net-bench " + scen + " -b 1M -e 2M -f 1").code, 2);
  EXPECT_EQ(deepsim("net-bench " + scen + " -b 1 -e 1G -f 1.01").code, 2);  // over 64 rows
  const Result dt = deepsim("net-bench " + scen + " -d flaot");
  EXPECT_EQ(dt.code, 2);
  EXPECT_NE(dt.out.find("did you mean 'float'?"), std::string::npos) << dt.out;
  EXPECT_EQ(deepsim("net-bench " + scen + " --collective sendrecv --protocol LL128").code, 2);
}

TEST(Cli, NetBenchRunsDeepEpLowLatencyKernels) {
  // R25's setup: 128 tokens of hidden 7168 per GPU (917,504 B), EP64, pure RDMA:
  // 63/64 x 128 x 8 x 7408 B / 40 GB/s + 3.7 us = 190.38 us (published: 186 us).
  const Result r = deepsim_stdout("net-bench " + src("scenarios/default.yaml") +
                                  " --collective dispatch --gpus 64 --bytes 917504 --deepep-mode low-latency --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["rows"][0]["time_s"].get<double>(), 63.0 / 64 * 128 * 8 * 7408 / 40e9 + 3.7e-6, 1e-9);
  EXPECT_EQ(deepsim("net-bench " + src("scenarios/default.yaml") + " --deepep-mode low-latency").code, 2);
}

TEST(Cli, EveryCommandHasHelpAndVersionWorksAnywhere) {
  for (const char* c : {"run", "validate", "model", "topo", "net-bench", "batch"}) {
    const Result h = deepsim(std::string(c) + " --help");
    EXPECT_EQ(h.code, 0) << c;
    EXPECT_NE(h.out.find(std::string("usage: deepsim ") + c), std::string::npos) << h.out;
    EXPECT_NE(h.out.find("--help"), std::string::npos) << h.out;
  }
  EXPECT_EQ(deepsim("help run").code, 0);
  const Result v = deepsim("run --version");
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.out.rfind("deepsim ", 0), 0u) << v.out;
  EXPECT_EQ(deepsim("").code, 2);  // no command: the help, on stdout, and exit 2
}

// std::stoi took `1e30` as 1, `4k` as 4, `3abc` as 3 and `4x` as 4; each is now an error naming the option.
TEST(Cli, NumericOptionsAreStrict) {
  const std::string scen = src("scenarios/default.yaml");
  for (const char* bad : {"1e30", "4k", "0", "-5", "99999999999"}) {
    const Result r = deepsim(std::string("model deepseek-v3 --seq-len ") + bad);
    EXPECT_EQ(r.code, 2) << bad << ": " << r.out;
    EXPECT_NE(r.out.find("deepsim model --seq-len: expected an integer in 1..16777216"), std::string::npos) << r.out;
  }
  EXPECT_EQ(deepsim("model deepseek-v3 --seq-len 4096").code, 0);
  const Result g = deepsim("net-bench " + scen + " --gpus 4x");
  EXPECT_EQ(g.code, 2) << g.out;
  EXPECT_NE(g.out.find("--gpus"), std::string::npos) << g.out;
  const Result j = deepsim("batch " + scen + " --jobs 3abc");
  EXPECT_EQ(j.code, 2) << j.out;
  EXPECT_NE(j.out.find("deepsim batch --jobs"), std::string::npos) << j.out;
  // More threads than kMaxBatchThreads is refused up front, not an abort while spawning.
  const Result many = deepsim("batch " + scen + " --jobs 2000");
  EXPECT_EQ(many.code, 2) << many.out;
  EXPECT_NE(many.out.find("1..256"), std::string::npos) << many.out;
}

TEST(Cli, EmptyOutIsBadInput) {
  const Result r = deepsim("run " + src("scenarios/default.yaml") + " --out ''");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("non-empty"), std::string::npos) << r.out;
  EXPECT_EQ(deepsim("batch " + src("scenarios/default.yaml") + " --out=").code, 2);
}

TEST(Cli, JsonOnStdoutForValidateModelTopoAndNetBench) {
  const std::string scen = src("scenarios/default.yaml");
  const Result v = deepsim_stdout("validate " + scen + " --json");
  ASSERT_EQ(v.code, 0) << v.out;
  const auto vj = nlohmann::json::parse(v.out);
  EXPECT_TRUE(vj["ok"].get<bool>());
  EXPECT_EQ(vj["gpus"].get<int>(), 2048);
  const Result bad = deepsim_stdout("validate " + src("tests/scenario/data/typo.yaml") + " --json");
  EXPECT_EQ(bad.code, 2);
  const auto bj = nlohmann::json::parse(bad.out);
  EXPECT_FALSE(bj["ok"].get<bool>());
  EXPECT_EQ(bj["error"]["line"].get<int>(), 12);
  EXPECT_NE(bj["error"]["hint"].get<std::string>().find("micro_batches"), std::string::npos);

  const Result m = deepsim_stdout("model deepseek-v3 --json");
  ASSERT_EQ(m.code, 0) << m.out;
  const auto mj = nlohmann::json::parse(m.out);
  EXPECT_EQ(mj["parameters"]["total"].get<std::int64_t>(), 671'026'419'200);
  EXPECT_EQ(mj["kv_cache_bytes_per_token_bf16"].get<double>(), 70272.0);

  const Result t = deepsim_stdout("topo " + scen + " --json");
  ASSERT_EQ(t.code, 0) << t.out;
  const auto tj = nlohmann::json::parse(t.out);
  EXPECT_EQ(tj["switches"]["leaf"].get<int>(), 64);
  EXPECT_EQ(tj["optical_transceivers"].get<int>(), 8192);

  const Result n = deepsim_stdout("net-bench " + scen + " --gpus 8 --bytes 1M,8M --json");
  ASSERT_EQ(n.code, 0) << n.out;
  const auto nj = nlohmann::json::parse(n.out);
  ASSERT_EQ(nj["rows"].size(), 2u);
  EXPECT_EQ(nj["rows"][1]["bytes"].get<double>(), 8388608.0);
  EXPECT_GT(nj["rows"][1]["busbw_gb_per_s"].get<double>(), 0.0);
}

TEST(Cli, RunJsonPrintsResultJsonAndNothingElseOnStdout) {
  const auto dir = std::filesystem::path(DEEPSIM_BINARY_DIR) / "cli_json_out";
  std::filesystem::remove_all(dir);
  const Result r = deepsim_stdout("run " + src("scenarios/default.yaml") + " --json --out " + dir.string());
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);  // throws (test fails) on any text around the document
  EXPECT_EQ(j["model"]["params_total"].get<std::int64_t>(), 671'026'419'200);
  std::ifstream in(dir / "result.json");
  std::stringstream file;
  file << in.rdbuf();
  EXPECT_EQ(file.str(), r.out);  // the same bytes as the file written with --out
}

// A batch writing into a pipe (as under CI or `> log`) draws no '\r' progress bar; --progress asks for
// one, which ends with "done in", never "ETA 0.000 ns".
TEST(Cli, BatchProgressOnlyOnATerminalOrOnRequest) {
  const auto dir = std::filesystem::path(DEEPSIM_BINARY_DIR) / "cli_batch_progress";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "small.yaml") << deepsim::test::small_run_yaml();
  const std::string in = (dir / "small.yaml").string();
  const Result quiet = deepsim("batch " + in + " --jobs 1 --out " + (dir / "a").string());
  ASSERT_EQ(quiet.code, 0) << quiet.out;
  EXPECT_EQ(quiet.out.find('\r'), std::string::npos) << quiet.out;
  const Result asked = deepsim("batch " + in + " --jobs 1 --progress --out " + (dir / "b").string());
  ASSERT_EQ(asked.code, 0) << asked.out;
  EXPECT_NE(asked.out.find('\r'), std::string::npos) << asked.out;
  EXPECT_NE(asked.out.find("done in "), std::string::npos) << asked.out;
  EXPECT_EQ(asked.out.find("ETA 0"), std::string::npos) << asked.out;
}

// A serving sweep (kind: serve) over a scenario with no serving: section is bad input before anything
// runs, printed as file:line:column: kind: ...; no results.csv is written.
TEST(Cli, ServingSweepOverATrainingScenarioIsRefusedAtItsKindKey) {
  const auto dir = std::filesystem::path(DEEPSIM_BINARY_DIR) / "cli_batch_serve_kind";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string sweep = (dir / "sweep.yaml").string();
  std::ofstream(sweep) << "sweep: 1\nkind: serve\nbase: " << src("scenarios/default.yaml") << "\ngrid:\n  parallel.ep: [8]\n";
  const Result r = deepsim("batch " + sweep + " --quiet --out " + (dir / "out").string());
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find(sweep + ":2:7: kind: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no serving: section"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "results.csv"));
}

TEST(Cli, DiffOfTwoRunFoldersShowsTheChangedKeyAndTheMoves) {
  const auto dir = std::filesystem::path(DEEPSIM_BINARY_DIR) / "cli_diff";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "small.yaml") << deepsim::test::small_run_yaml();
  const std::string in = (dir / "small.yaml").string();
  ASSERT_EQ(deepsim("run " + in + " --quiet --out " + (dir / "a").string()).code, 0);
  ASSERT_EQ(deepsim("run " + in + " --quiet --set pricing.usd_per_gpu_hour=5 --out " + (dir / "b").string()).code, 0);
  const Result r = deepsim("diff " + (dir / "a").string() + " " + (dir / "b").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("pricing.usd_per_gpu_hour"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(+100.0%)"), std::string::npos) << r.out;  // rental cost doubles from 2.5 to 5 $/GPU-h
  const Result j = deepsim_stdout("diff " + (dir / "a").string() + " " + (dir / "b" / "result.json").string() + " --json");
  ASSERT_EQ(j.code, 0) << j.out;
  const auto doc = nlohmann::json::parse(j.out);
  ASSERT_GE(doc["inputs"].size(), 1u);
  bool step_same = false;
  for (const auto& f : doc["figures"])
    if (f["name"] == "step time") step_same = f["delta"].get<double>() == 0.0;  // price does not change the step
  EXPECT_TRUE(step_same);
  EXPECT_EQ(deepsim("diff " + (dir / "a").string() + " " + (dir / "nope").string()).code, 2);
}

}  // namespace

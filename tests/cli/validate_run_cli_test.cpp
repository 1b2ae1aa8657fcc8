// `deepsim validate` and `deepsim run` load a scenario through one function (load_checked_scenario), so for
// every bad input they give the same error and exit 2, and every input validate passes, run runs. Each
// placement rule is named in its error with the key to blame. A plan over HBM is valid for both, with
// the same warning line.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string out;
};

Result run(const std::string& args, const std::string& redirect = "2>&1") {
  const std::string cmd = "timeout 300 " + std::string(DEEPSIM_CLI) + " " + args + " " + redirect;
  Result r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  while (fgets(buf.data(), static_cast<int>(buf.size()), pipe) != nullptr) r.out += buf.data();
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// 16 GPUs on two H100 nodes, so that `run` takes well under a second.
constexpr const char* kSmall = R"(schema: 1
name: small
cluster: {gpu: H100, nodes: 2, gpus_per_node: 8, nics_per_node: 8, nic: cx7-ib-400g,
          topology: {kind: mpft, switch_radix: 64, planes: 8}}
model: {preset: deepseek-v3, layers: 8, moe: {routed_experts: 64}, mtp_depth: 0}
parallel: {pp: 2, dp: 8, tp: 1, ep: 8, micro_batch_size: 1, micro_batches: 4, schedule: 1f1b}
training: {tokens: 1M, seq_len: 1024, global_batch: 32}
)";

struct ValidateAndRun : ::testing::Test {
  fs::path dir = fs::temp_directory_path() /
                 ("deepsim_validate_run_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  std::string scenario;
  void SetUp() override {
    fs::remove_all(dir);
    fs::create_directories(dir);
    scenario = (dir / "s.yaml").string();
    std::ofstream(scenario, std::ios::binary) << kSmall;
  }
  void TearDown() override { fs::remove_all(dir); }
};

struct Bad {
  const char* sets;   // --set options
  const char* error;  // a piece of the one error line both print
};

TEST_F(ValidateAndRun, BadScenariosGiveTheSameErrorAndExitTwo) {
  const std::vector<Bad> bad = {
      // Placement rules, each named with a hint (docs/pipeline.md, "Placement").
      {"--set cluster.nodes=3 --set parallel.dp=12 --set parallel.ep=4 --set training.global_batch=48",
       "parallel.dp: rule: a stage fills whole nodes or fits inside one: with pp > 1 a stage's dp x tp = 12 GPUs"},
      {"--set cluster.nodes=3 --set parallel.pp=1 --set parallel.dp=24 --set parallel.ep=12 --set model.moe.routed_experts=96"
       " --set training.global_batch=96",
       "parallel.ep: rule: an EP group fits inside one node or is whole nodes: ep = 12 would straddle nodes"},
      {"--set cluster.gpus_per_node=6 --set cluster.nics_per_node=6 --set cluster.topology.planes=6 --set parallel.pp=1"
       " --set parallel.dp=3 --set parallel.tp=4 --set parallel.ep=2 --set training.global_batch=12",
       "parallel.tp: rule: a TP group fits inside one node or is whole nodes: tp = 4"},
      {"--set parallel.dp=4", "parallel.dp: rule: pp x dp x tp uses every GPU"},
      {"--set parallel.ep=16", "parallel.ep: rule: an EP group lies inside one stage"},
      // Schedule feasibility: DualPipe needs an even number of micro-batches.
      {"--set parallel.schedule=dualpipe --set parallel.micro_batches=3 --set training.global_batch=24", "parallel.micro_batches"},
      // A phase's plan the schedule cannot run (dualpipe with pp 1).
      {"--set 'context_extension.stage1={steps: 5, plan: \"parallel.pp=1; parallel.dp=16; parallel.ep=16; parallel.schedule=dualpipe\"}'",
       "context_extension.stage1.plan"},
  };
  for (const Bad& b : bad) {
    const Result v = run("validate " + scenario + " " + b.sets);
    const Result r = run("run --quiet " + scenario + " " + b.sets);
    EXPECT_EQ(v.code, 2) << b.sets << "\n" << v.out;
    EXPECT_EQ(r.code, 2) << b.sets << "\n" << r.out;
    EXPECT_EQ(v.out, r.out) << b.sets;
    EXPECT_NE(v.out.find(b.error), std::string::npos) << b.sets << "\n" << v.out;
    if (std::string(b.error).find("rule: ") != std::string::npos) {
      EXPECT_NE(v.out.find("(hint: "), std::string::npos) << b.sets << "\n" << v.out;
    }
  }
}

TEST_F(ValidateAndRun, GoodScenariosPassBoth) {
  for (const char* sets : {"",
                           // PP4 x DP4: two stages per node, their sends on NVLink.
                           "--set parallel.pp=4 --set parallel.dp=4 --set parallel.ep=4 --set parallel.micro_batches=8",
                           "--set parallel.zero_stage=2"}) {
    const Result v = run("validate " + scenario + " " + sets);
    EXPECT_EQ(v.code, 0) << sets << "\n" << v.out;
    EXPECT_NE(v.out.find(": ok: "), std::string::npos) << v.out;
    const Result r = run("run --quiet " + scenario + " " + sets);
    EXPECT_EQ(r.code, 0) << sets << "\n" << r.out;
  }
}

TEST_F(ValidateAndRun, APlanOverHbmGetsTheSameWarningFromBoth) {
  const std::string sets = " --set cluster.gpu_overrides.hbm_gb=1";
  const Result v = run("validate " + scenario + sets, "2>&1 >/dev/null");  // stderr only
  const Result r = run("run --quiet " + scenario + sets, "2>&1 >/dev/null");
  EXPECT_EQ(v.code, 0) << v.out;
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(v.out.rfind("WARNING: does not fit in HBM: the fullest rank (stage ", 0), 0U) << v.out;
  EXPECT_EQ(v.out, r.out);
}

}  // namespace

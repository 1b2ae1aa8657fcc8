// `deepsim validate` and `deepsim run` load a scenario through one function (load_checked_scenario), so for
// every bad input they give the same error and exit 2, and every input validate passes, run runs. Each
// placement rule is named in its error with the key to blame. A plan over HBM is valid for both, with
// the same warning line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/cli/cli_runner.h"

namespace {

namespace fs = std::filesystem;

using Result = deepsim::test::CliResult;

Result run(const std::string& args, const std::string& redirect = "2>&1") {
  return deepsim::test::run_deepsim(args, redirect, "", 300);
}

constexpr const char* kSmall = deepsim::test::kSmallScenario;

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
      // Expert TP: expert_tp x ep = 16 inside a stage of 8 GPUs; expert_tp against the node (NVLink) rule.
      {"--set parallel.expert_tp=2", "parallel.expert_tp: rule: expert_tp x ep lies inside one stage"},
      {"--set parallel.ep=1 --set parallel.expert_tp=6 --set model.moe.expert_intermediate=1536",
       "parallel.expert_tp: rule: an expert-TP group fits inside one node or is whole nodes: expert_tp = 6"},
      {"--set parallel.ep=1 --set parallel.expert_tp=4 --set model.moe.expert_intermediate=2046",
       "parallel.expert_tp: model.moe.expert_intermediate = 2046 is not a multiple of expert_tp = 4"},
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
                           "--set parallel.zero_stage=2",
                           // Expert TP2 x EP4 folded into a stage's 8 GPUs.
                           "--set parallel.ep=4 --set parallel.expert_tp=2"}) {
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

// The whole serving study: input errors at the key to blame, determinism, the reports, and the
// documented comparison with DeepSeek's published serving statistics (docs/serving.md, "Validation").
#include "sim/serve/serve_run.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "sim/core/error.h"
#include "sim/serve/serve_report.h"
#include "sim/serve/serving_checks.h"
#include "tests/scenario/scenario_test_support.h"

namespace deepsim {
namespace {

const std::string kFile = "scenarios/serving/deepseek-v3-h800.yaml";

Scenario shipped(std::vector<std::string> sets = {}) { return load_scenario_file(test::source_path(kFile), sets); }

void expect_error_at(std::vector<std::string> sets, const std::string& key, const std::string& words) {
  const Scenario s = shipped(std::move(sets));
  try {
    (void)run_serve(s);
    ADD_FAILURE() << "no error for " << key;
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), key);
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    EXPECT_FALSE(e.hint().empty());
  }
}

TEST(ServeRun, BadPlansAreInputErrorsAtTheirKey) {
  expect_error_at({"serving.decode.ep=100"}, "serving.decode.ep", "do not divide");
  expect_error_at({"serving.prefill.attention_tp=3"}, "serving.prefill.attention_tp", "attention_tp");
  expect_error_at({"serving.workload.cache_hit_ratio=1"}, "serving.workload.cache_hit_ratio", "no token to prefill");
  expect_error_at({"serving.workload.request_rate_per_s=0"}, "serving.workload.request_rate_per_s", "no load");
  expect_error_at({"serving.decode.batch_per_gpu=4000"}, "serving.decode.batch_per_gpu", "KV cache");
  expect_error_at({"serving.decode.batch_per_gpu=127"}, "serving.decode.batch_per_gpu", "micro-batches");
  expect_error_at({"serving.decode.ep=8", "serving.decode.redundant_experts=0"}, "serving.decode.ep", "no room");
  expect_error_at({"serving.workload.trace_path=missing.csv"}, "serving.workload.trace_path", "cannot open");
}

TEST(ServeRun, ValidateChecksAServingSectionOnlyWhenThereIsOne) {
  EXPECT_TRUE(has_serving_section(shipped()));
  EXPECT_FALSE(has_serving_section(load_scenario_file(test::source_path("scenarios/default.yaml"))));
  const Scenario set = load_scenario_file(test::source_path("scenarios/default.yaml"),
                                          std::vector<std::string>{"serving.decode.ep=100"});
  EXPECT_TRUE(has_serving_section(set));
  EXPECT_THROW(check_serving(set), InputError);
  try {
    (void)run_serve(load_scenario_file(test::source_path("scenarios/default.yaml")));
    ADD_FAILURE() << "served a scenario without a serving section";
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "serving");
  }
}

TEST(ServeRun, UnknownKeysAreRefusedByTheLoader) {
  EXPECT_THROW((void)shipped({"serving.decode.bach_per_gpu=4"}), InputError);
  EXPECT_THROW((void)shipped({"serving.decode.kv_dtype=fp4"}), InputError);
}

TEST(ServeRun, SameScenarioSameBytes) {
  const Scenario s = shipped();
  ServeReport a{s, run_serve(s), "test", "hash"}, b{s, run_serve(s), "test", "hash"};
  EXPECT_EQ(serve_json(a).dump(), serve_json(b).dump());
  EXPECT_EQ(serve_markdown(a), serve_markdown(b));
}

TEST(ServeRun, WritesTheFourReports) {
  const Scenario s = shipped({"serving.what_if=false"});
  const ServeReport r{s, run_serve(s), "test", "hash"};
  const auto dir = std::filesystem::temp_directory_path() / "deepsim_serve_reports";
  std::filesystem::remove_all(dir);
  write_serve_reports(r, dir);
  for (const char* f : {"report.md", "report.html", "result.json", "trace.json"})
    EXPECT_TRUE(std::filesystem::file_size(dir / f) > 100) << f;
  const auto j = nlohmann::json::parse(test::read_text((dir / "result.json").string()));
  EXPECT_GT(j["serve"]["decode"]["tpot_s"].get<double>(), 0);
  EXPECT_TRUE(j["serve"]["what_if"].empty());
  // trace.json: the decode step's slices, with dispatches on the comm track.
  EXPECT_NE(test::read_text((dir / "trace.json").string()).find("dispatch"), std::string::npos);
}

TEST(ServeRun, PrefillIsProvisionedForTheTtftSlo) {
  const ServeResult r = run_serve(shipped({"serving.what_if=false"}));
  EXPECT_TRUE(r.sizing.meets_ttft);
  EXPECT_LE(r.sizing.ttft.seconds(), 5.0 * (1 + 1e-9));
  EXPECT_GE(r.sizing.prefill_nodes, r.sizing.prefill_nodes_load);
  // A TTFT below one batch cannot be met by any number of nodes: sized for the load, and said so.
  const ServeResult tight = run_serve(shipped({"serving.what_if=false", "serving.slo.ttft_s=0.5"}));
  EXPECT_FALSE(tight.sizing.meets_ttft);
  bool noted = false;
  for (const auto& n : tight.notes) noted |= n.find("TTFT") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(ServeRun, WhatIfCoversTheAxes) {
  const ServeResult r = run_serve(shipped());
  int gpu = 0, ep = 0, batch = 0, acc = 0;
  for (const WhatIfRow& w : r.what_if) {
    gpu += w.axis == "GPU";
    ep += w.axis == "decode EP";
    batch += w.axis == "batch per GPU";
    acc += w.axis == "MTP acceptance";
  }
  EXPECT_EQ(gpu, 5);
  EXPECT_GE(ep, 3);
  EXPECT_EQ(batch, 4);
  EXPECT_EQ(acc, 4);
}

// The revenue side of day 6 is arithmetic on published counts, so it must come out as published:
// 342B hits x $0.14 + 266B misses x $0.55 + 168B outputs x $2.19 per 1M = $562,100 (published: $562,027,
// from unrounded token counts), and $87,072 of cost for 226.75 nodes x 8 GPUs x 24 h x $2.
TEST(ServeValidation, DaySixRevenueArithmetic) {
  const ServeResult r = run_serve(shipped({"serving.what_if=false"}));
  EXPECT_NEAR(r.sizing.revenue_usd_per_day / 562027 - 1, 0, 5e-4);
  EXPECT_DOUBLE_EQ(226.75 * 8 * 24 * 2.0, 87072);
}

// The model against day 6's measured averages. Errors are printed and recorded in docs/serving.md; the
// bounds only guard against a model that drifts far from the published serving (an order of magnitude),
// they are not a fit.
TEST(ServeValidation, DaySixThroughputComparison) {
  const ServeResult r = run_serve(shipped({"serving.what_if=false"}));
  const double prefill = r.prefill.input_tokens_per_s_node, decode = r.decode.output_tokens_per_s_node;
  const double nodes = r.sizing.prefill_nodes_load + r.sizing.decode_nodes_load;
  std::printf("prefill %.0f input tok/s per node (published 73.7k): %+.0f%%\n", prefill, 100 * (prefill / 73.7e3 - 1));
  std::printf("decode %.0f output tok/s per node (published 14.8k): %+.0f%%\n", decode, 100 * (decode / 14.8e3 - 1));
  std::printf("TPOT %.1f ms (published 20-22 tok/s per user: 45-50 ms)\n", r.decode.tpot.seconds() * 1e3);
  std::printf("nodes at load %.1f (published average 226.75): %+.0f%%\n", nodes, 100 * (nodes / 226.75 - 1));
  std::printf("cost %.0f USD/day (published 87,072), margin %.0f%% (published 545%%)\n", r.sizing.usd_per_day_load,
              100 * r.sizing.cost_profit_margin);
  for (const double ratio : {prefill / 73.7e3, decode / 14.8e3, nodes / 226.75}) {
    EXPECT_GT(ratio, 0.1);
    EXPECT_LT(ratio, 10.0);
  }
}

}  // namespace
}  // namespace deepsim

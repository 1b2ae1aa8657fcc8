// Workload statistics: the KV length per output token, sampled distributions, and the trace reader's
// errors (file:line, the field to blame).
#include "sim/serve/workload.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sim/core/error.h"
#include "tests/scenario/scenario_test_support.h"

namespace deepsim {
namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const auto p = std::filesystem::temp_directory_path() / name;
  std::ofstream(p) << text;
  return p.string();
}

TEST(Workload, KvLengthPerOutputTokenIsTheTimeAverage) {
  // A request of I = 100, O = 3 attends over 101, 102, 103 tokens: mean 102 = I + (O + 1) / 2.
  const WorkloadStats w = reduce_requests({{0, 100, 3}}, 1.0, 0, "one");
  EXPECT_DOUBLE_EQ(w.kv_tokens_per_output_token, 102);
  // Two requests weigh by their outputs: (100*1 + 1 + 10*9 + 45) / 10 = 23.6.
  const WorkloadStats w2 = reduce_requests({{0, 100, 1}, {1, 10, 9}}, 0, 0, "two");
  EXPECT_DOUBLE_EQ(w2.kv_tokens_per_output_token, 23.6);
  EXPECT_DOUBLE_EQ(w2.request_rate_per_s, 1.0);  // 2 arrivals 1 s apart
}

TEST(Workload, DaySixStatisticsFromTheShippedScenario) {
  const Scenario s = load_scenario_file(test::source_path("scenarios/serving/deepseek-v3-h800.yaml"));
  const WorkloadStats w = workload_stats(s);
  // Derived from day 6's 608B input / 168B output per day and 4,989 KV tokens per output token.
  EXPECT_NEAR(w.kv_tokens_per_output_token, 4989, 0.5);
  EXPECT_NEAR(w.input_tokens_per_s() * 86400 / 1e9, 608, 0.5);
  EXPECT_NEAR(w.output_tokens_per_s() * 86400 / 1e9, 168, 0.1);
}

TEST(Workload, LognormalMeanAndSpreadAreDrawnAsAsked) {
  Scenario s = load_scenario_file(test::source_path("scenarios/serving/deepseek-v3-h800.yaml"),
                                  std::vector<std::string>{"serving.workload.distribution=lognormal",
                                                           "serving.workload.output_tokens_cv=1",
                                                           "serving.workload.sample_requests=200000"});
  const WorkloadStats w = workload_stats(s);
  EXPECT_NEAR(w.output_tokens_mean / 1211 - 1, 0, 0.02);
  // With spread, long outputs weigh more: E[O^2] / (2 E[O]) = (1 + cv^2) O / 2 instead of O / 2.
  EXPECT_GT(w.kv_tokens_per_output_token, 4989 + 0.8 * 1211 / 2);
  // Same seed, same draws.
  EXPECT_EQ(workload_stats(s).kv_tokens_per_output_token, w.kv_tokens_per_output_token);
}

TEST(Workload, TraceIsReadWithItsRate) {
  const std::string p = write_temp("serve_trace_ok.csv", "arrival_s,input_tokens,output_tokens\n0,100,10\n0.5,200,20\n# c\n1.0,300,30\n");
  const std::vector<Request> r = read_request_trace(p, {});
  ASSERT_EQ(r.size(), 3u);
  const WorkloadStats w = reduce_requests(r, 0, 0.5, "trace");
  EXPECT_DOUBLE_EQ(w.request_rate_per_s, 2.0);
  EXPECT_DOUBLE_EQ(w.input_tokens_mean, 200);
}

TEST(Workload, TraceErrorsNameFileAndLine) {
  const std::string bad = write_temp("serve_trace_bad.csv", "0,100,10\n1,abc,10\n");
  try {
    (void)read_request_trace(bad, {});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.pos().file, bad);
    EXPECT_EQ(e.pos().line, 2);
    EXPECT_EQ(e.key(), "input_tokens");
  }
  const std::string back = write_temp("serve_trace_back.csv", "5,100,10\n1,100,10\n");
  EXPECT_THROW((void)read_request_trace(back, {}), InputError);
  const std::string cols = write_temp("serve_trace_cols.csv", "5,100\n");
  EXPECT_THROW((void)read_request_trace(cols, {}), InputError);
  EXPECT_THROW((void)read_request_trace("/nonexistent/trace.csv", {}), InputError);
}

}  // namespace
}  // namespace deepsim

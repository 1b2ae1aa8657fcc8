// The front-end serving API: its figures are the serving study's (sim/serve/serve_run.h), a sweep point
// is the study of the base with that one --set, points that do not fit keep the reason, cancel stops it.
#include "sim/api/serve_run.h"

#include <gtest/gtest.h>

#include "sim/core/error.h"
#include "sim/scenario/loader.h"

namespace deepsim::api {
namespace {

const std::string kServing = std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/serving/deepseek-v3-h800.yaml";

ScenarioDoc serving_doc() {
  ScenarioDoc doc = read_scenario_doc(kServing);
  doc.overrides.push_back("serving.what_if=false");  // the tables are not what these tests read
  return doc;
}

TEST(ServeApi, FiguresAreTheStudysOwnInDisplayUnits) {
  std::vector<Progress> seen;
  RunControl control;
  control.progress = [&](const Progress& p) { seen.push_back(p); };
  const ServeOutput out = run_serve(serving_doc(), control);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().done, seen.back().total);
  const ServeResult direct = deepsim::run_serve(load(serving_doc()));
  const ServeFigures& f = out.figures;
  EXPECT_EQ(f.gpu, "H800");
  EXPECT_EQ(f.decode_ep, 144);            // serving.decode.ep of the file
  EXPECT_EQ(f.decode_batch_per_gpu, 128);
  EXPECT_DOUBLE_EQ(f.decode_tokens_per_s_node, direct.decode.output_tokens_per_s_node);
  EXPECT_DOUBLE_EQ(f.tpot_ms, direct.decode.tpot.seconds() * 1e3);
  EXPECT_DOUBLE_EQ(f.ep_bound_tpot_ms, direct.decode.ep_bound_tpot.seconds() * 1e3);
  EXPECT_DOUBLE_EQ(f.usd_per_m_output, direct.sizing.usd_per_m_output);
  EXPECT_DOUBLE_EQ(f.prefill_tokens_per_s_node, direct.prefill.input_tokens_per_s_node);
  EXPECT_EQ(f.decode_nodes, direct.sizing.decode_nodes);
  EXPECT_GT(f.decode_tokens_per_s_node, 0);
  EXPECT_GT(f.tpot_ms, f.ep_bound_tpot_ms);  // the bound leaves compute out
}

TEST(ServeApi, ASweepPointIsTheStudyWithThatOneSetAndTooLargeABatchIsMarked) {
  ServeSweepSpec spec{serving_doc(), kServeDecodeBatch, {"64", "4000"}, 2};
  std::vector<std::string> order;
  const ServeSweepOutcome out = run_serve_sweep(spec, {}, [&](const ServeSweepPoint& p) { order.push_back(p.value); });
  ASSERT_EQ(out.points.size(), 2U);
  EXPECT_FALSE(out.cancelled);
  EXPECT_EQ(order.size(), 2U);
  const ServeSweepPoint& fits = out.points[0];
  const ServeSweepPoint& too_large = out.points[1];
  EXPECT_EQ(fits.label, "serving.decode.batch_per_gpu=64");
  ASSERT_TRUE(fits.ran()) << fits.error;
  ScenarioDoc one = serving_doc();
  one.overrides.push_back("serving.decode.batch_per_gpu=64");
  const ServeFigures expected = run_serve(one).figures;
  EXPECT_EQ(fits.figures->decode_batch_per_gpu, 64);
  EXPECT_DOUBLE_EQ(fits.figures->decode_tokens_per_s_node, expected.decode_tokens_per_s_node);
  EXPECT_DOUBLE_EQ(fits.figures->tpot_ms, expected.tpot_ms);
  EXPECT_DOUBLE_EQ(fits.figures->usd_per_m_output, expected.usd_per_m_output);
  EXPECT_FALSE(too_large.ran());
  EXPECT_EQ(too_large.error_key, kServeDecodeBatch);
  EXPECT_NE(too_large.error.find("KV cache"), std::string::npos) << too_large.error;
}

TEST(ServeApi, UnknownKeysAndEmptyListsAreRefusedBeforeAnythingRuns) {
  EXPECT_THROW(check_serve_sweep({serving_doc(), "serving.decode.bach_per_gpu", {"64"}, 1}), InputError);
  EXPECT_THROW((void)run_serve_sweep({serving_doc(), kServeDecodeEp, {}, 1}), InputError);
}

TEST(ServeApi, ACancelledSweepRunsNoPointAndSaysSo) {
  RunControl control;
  control.cancel.cancel();
  const ServeSweepOutcome out = run_serve_sweep({serving_doc(), kServeDecodeEp, {"72", "144"}, 1}, control);
  EXPECT_TRUE(out.cancelled);
  EXPECT_TRUE(out.points.empty());
  EXPECT_THROW((void)run_serve(serving_doc(), control), Cancelled);
}

TEST(ServeApi, AScenarioWithoutAServingSectionIsRefusedAtEveryPoint) {
  ServeSweepSpec spec{read_scenario_doc(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/default.yaml"), kServeGpu, {"H800"}, 1};
  const ServeSweepOutcome out = run_serve_sweep(spec);
  ASSERT_EQ(out.points.size(), 1U);
  EXPECT_FALSE(out.points[0].ran());
  EXPECT_EQ(out.points[0].error_key, "serving");
}

}  // namespace
}  // namespace deepsim::api

// The decode unit: KV formats, memory, and how the step answers its knobs (batch, MTP, NVLink, EP).
#include "sim/serve/decode_unit.h"

#include <gtest/gtest.h>

#include "sim/hw/catalog.h"
#include "sim/serve/serve_run.h"
#include "tests/scenario/scenario_test_support.h"

namespace deepsim {
namespace {

Scenario shipped(std::vector<std::string> sets = {}) {
  return load_scenario_file(test::source_path("scenarios/serving/deepseek-v3-h800.yaml"), sets);
}

ServeContext context(const Scenario& s) { return make_serve_context(s, workload_stats(s)); }

TEST(DecodeUnit, KvPerTokenInBothFormats) {
  const Scenario s = shipped();
  // FlashMLA FP8: 512 + 16 + 128 = 656 B per layer (R10); BF16: ISCA Table 1's 70,272 B over 61 layers.
  EXPECT_DOUBLE_EQ(decode_memory(context(s), 144).kv_per_token.value(), 656.0 * 61);
  const Scenario b = shipped({"serving.decode.kv_dtype=bf16"});
  EXPECT_DOUBLE_EQ(decode_memory(context(b), 144).kv_per_token.value(), 70272);
}

TEST(DecodeUnit, WeightsShrinkWithExpertParallelism) {
  const ServeContext c = context(shipped());
  const DecodeMemory m144 = decode_memory(c, 144), m72 = decode_memory(c, 72);
  EXPECT_LT(m144.weights.value(), m72.weights.value());
  // Two fewer expert slots per MoE layer (4 -> 2 at 288 slots): 2 x 44M params x 58 layers, plus the MTP layer's.
  const double expert = 3.0 * 7168 * 2048;
  EXPECT_NEAR(m72.weights.value() - m144.weights.value(), 2 * expert * 59, 1e3);
  EXPECT_GT(m144.kv_capacity.value(), 0);
}

TEST(DecodeUnit, LargerBatchRaisesThroughputAndTpot) {
  const ServeContext c = context(shipped());
  DecodeUnitSpec d = c.serving.decode;
  d.batch_per_gpu = 32;
  const DecodeResult small = evaluate_decode(c, d);
  d.batch_per_gpu = 128;
  const DecodeResult big = evaluate_decode(c, d);
  EXPECT_GT(big.output_tokens_per_s_gpu, small.output_tokens_per_s_gpu);
  EXPECT_GT(big.tpot, small.tpot);
  // The comm stream runs every dispatch and combine back to back, so the step is never below the EP bound.
  EXPECT_GE(big.step, big.ep_bound_step);
  EXPECT_EQ(big.comm_busy, big.ep_bound_step);
}

TEST(DecodeUnit, MtpAcceptanceAndNvlinkHelp) {
  const ServeContext c = context(shipped());
  DecodeUnitSpec d = c.serving.decode;
  const DecodeResult base = evaluate_decode(c, d);
  d.mtp_acceptance = 0.95;
  EXPECT_LT(evaluate_decode(c, d).tpot, base.tpot);
  d = c.serving.decode;
  d.mtp = false;
  const DecodeResult plain = evaluate_decode(c, d);
  EXPECT_EQ(plain.query_tokens, 1);
  EXPECT_DOUBLE_EQ(plain.accepted_per_step, 1.0);
  d = c.serving.decode;
  d.ll_use_nvlink = true;
  EXPECT_LT(evaluate_decode(c, d).moe_layer.dispatch, base.moe_layer.dispatch);
}

TEST(DecodeUnit, BatchZeroPicksTheLargestMeetingTheSlo) {
  const ServeContext c = context(shipped({"serving.slo.tpot_ms=30"}));
  DecodeUnitSpec d = c.serving.decode;
  d.batch_per_gpu = 0;
  const DecodeResult r = decode_unit(c, d);
  EXPECT_TRUE(r.meets_tpot);
  EXPECT_TRUE(r.fits_kv);
  d.batch_per_gpu = r.batch_per_gpu + 2;
  const DecodeResult next = evaluate_decode(c, d);
  EXPECT_TRUE(!next.meets_tpot || !next.fits_kv);
}

TEST(DecodeUnit, AGpuWithMoreBandwidthDecodesFaster) {
  const ServeContext c = context(shipped());
  const ServeContext h200 = with_gpu(c, find_gpu("H200").value());
  const ServeContext h800 = with_gpu(c, find_gpu("H800").value());
  EXPECT_LT(evaluate_decode(h200, c.serving.decode).compute_busy, evaluate_decode(h800, c.serving.decode).compute_busy);
}

}  // namespace
}  // namespace deepsim

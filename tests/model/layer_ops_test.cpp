// Ops of one layer: GEMM shapes against the DeepGEMM benchmark shapes mapped onto V3 (reference R21),
// FLOP and byte formulas by hand, TP splits, and parameters consistent with count_params.
#include "sim/model/layer_ops.h"

#include <gtest/gtest.h>

#include <string>

#include "sim/model/param_count.h"
#include "sim/model/stage_assignment.h"
#include "tests/model/test_models.h"

namespace deepsim {
namespace {

using testing::preset;

// By value: callers often pass a temporary op list.
Op find(const std::vector<Op>& ops, const std::string& name) {
  for (const Op& op : ops)
    if (op.name == name) return op;
  ADD_FAILURE() << "no op " << name;
  return {};
}

OpContext ctx(std::int64_t tokens, int seq_len, int tp = 1, bool recompute = false) {
  return {.tokens = tokens, .seq_len = seq_len, .tp = tp, .precision = Precision::kFp8, .causal = true,
          .recompute = recompute ? RecomputeMode::kPartial : RecomputeMode::kNone};
}

void expect_shape(const Op& op, std::int64_t m, std::int64_t n, std::int64_t k) {
  EXPECT_EQ(op.gemm.m, m) << op.name;
  EXPECT_EQ(op.gemm.n, n) << op.name;
  EXPECT_EQ(op.gemm.k, k) << op.name;
}

TEST(LayerOps, DeepSeekV3MlaShapesMatchDeepGemmTable) {
  const auto ops = layer_ops(preset("deepseek-v3"), 3, ctx(4096, 4096));
  // R21: q_a + kv_a 2112 x 7168 (1536 + 512 + 64), q_b 24576 x 1536 (128 * 192), kv_b 32768 x 512
  // (128 * 256), o_proj 7168 x 16384 (128 * 128).
  expect_shape(find(ops, "mla.qkv_a"), 4096, 2112, 7168);
  expect_shape(find(ops, "mla.q_b"), 4096, 24576, 1536);
  expect_shape(find(ops, "mla.kv_b"), 4096, 32768, 512);
  expect_shape(find(ops, "mla.o_proj"), 4096, 7168, 16384);
  // Experts, balanced: 4096 * 8 / 256 = 128 tokens each, gate_up 4096 x 7168, down 7168 x 2048.
  const Op gate_up = find(ops, "expert.gate_up");
  expect_shape(gate_up, 128, 4096, 7168);
  EXPECT_EQ(gate_up.groups, 256);
  EXPECT_TRUE(gate_up.per_expert);
  expect_shape(find(ops, "expert.down"), 128, 7168, 2048);
  expect_shape(find(ops, "moe.router"), 4096, 256, 7168);
  expect_shape(find(ops, "moe.shared.gate_up"), 4096, 4096, 7168);
}

TEST(LayerOps, GemmFlopsAndBytesFollowDeepGemmCount) {
  const Op o = find(layer_ops(preset("deepseek-v3"), 3, ctx(4096, 4096)), "mla.o_proj");
  const double m = 4096, n = 7168, k = 16384;
  EXPECT_DOUBLE_EQ(o.fwd.value(), 2 * m * n * k);
  EXPECT_DOUBLE_EQ(o.dgrad.value(), 2 * m * n * k);
  EXPECT_DOUBLE_EQ(o.wgrad.value(), 2 * m * n * k);
  // R21's byte count for FP8 in, BF16 out: MK + NK + 2MN.
  EXPECT_DOUBLE_EQ(o.fwd_bytes.value(), m * k + n * k + 2 * m * n);
  // dgrad reads dY (FP8) and W, writes dX in BF16; wgrad reads dY and X, read-modify-writes FP32 dW.
  EXPECT_DOUBLE_EQ(o.dgrad_bytes.value(), m * n + n * k + 2 * m * k);
  EXPECT_DOUBLE_EQ(o.wgrad_bytes.value(), m * n + m * k + 8 * n * k);
  EXPECT_DOUBLE_EQ(o.saved.value(), m * k);  // its FP8 input
  EXPECT_TRUE(o.fp8);
  EXPECT_EQ(o.params, 7168 * 16384);
}

TEST(LayerOps, CausalAttentionFlopsByHand) {
  const Op a = find(layer_ops(preset("deepseek-v3"), 0, ctx(2 * 4096, 4096)), "attention");
  // 2 sequences x 128 heads x 4096^2 / 2 causal pairs; forward 2 * pairs * (192 + 128); backward with
  // QK^T recomputed: 2 * pairs * (3 * 192 + 2 * 128).
  const double pairs = 2.0 * 128 * 4096 * 4096 / 2;
  EXPECT_DOUBLE_EQ(a.fwd.value(), 2 * pairs * 320);
  EXPECT_DOUBLE_EQ(a.dgrad.value(), 2 * pairs * (3 * 192 + 2 * 128));
  EXPECT_DOUBLE_EQ(a.wgrad.value(), 0.0);
  // Saved: Q, K (192 per head), V, O (128 per head) in BF16 and one FP32 LSE per head and token; the
  // S x S probabilities are never stored.
  EXPECT_DOUBLE_EQ(a.saved.value(), 8192.0 * 128 * (2 * (192 + 192 + 128 + 128) + 4));
}

TEST(LayerOps, TensorParallelSplitsHeadsAndInnerSize) {
  const ModelSpec m = preset("deepseek-v3");
  const auto one = layer_ops(m, 0, ctx(4096, 4096, 1));
  const auto eight = layer_ops(m, 0, ctx(4096, 4096, 8));
  // Column/row-parallel: 1/8 of q_b, kv_b, o_proj, the FFN and the attention heads.
  for (const char* name : {"mla.q_b", "mla.kv_b", "mla.o_proj", "ffn.gate_up", "ffn.down", "attention"})
    EXPECT_DOUBLE_EQ(find(eight, name).fwd.value(), find(one, name).fwd.value() / 8) << name;
  // The down projection is replicated on every rank.
  EXPECT_EQ(find(eight, "mla.qkv_a").params, find(one, "mla.qkv_a").params);
  expect_shape(find(eight, "mla.o_proj"), 4096, 7168, 16384 / 8);
}

TEST(LayerOps, GqaFusesQkvAndReplicatesKvHeadsBelowTp) {
  const ModelSpec m = preset("llama-3.1-405b");
  // tp 8 = kv_heads: 16 q heads + 1 k + 1 v head of 128 per rank -> N = 18 * 128.
  expect_shape(find(layer_ops(m, 0, ctx(8192, 8192, 8)), "gqa.qkv"), 8192, 18 * 128, 16384);
  // tp 16 > 8 kv heads: each rank keeps one (replicated) k and v head, 8 q heads -> N = 10 * 128.
  expect_shape(find(layer_ops(m, 0, ctx(8192, 8192, 16)), "gqa.qkv"), 8192, 10 * 128, 16384);
}

TEST(LayerOps, ParamsOfAllOpsMatchCountParams) {
  // Every preset, the GPT ones (GELU, LayerNorm, biases, learned positions, tied head) included, and
  // under every recompute mode (the recompute clones own nothing).
  for (const std::string& name : model_preset_names()) {
    const ModelSpec m = preset(name);
    const int seq = m.position_embeddings > 0 ? m.position_embeddings : 4096;
    for (const RecomputeMode r : {RecomputeMode::kNone, RecomputeMode::kSelective, RecomputeMode::kFull}) {
      OpContext c = ctx(seq, seq);
      c.recompute = r;
      std::int64_t sum = 0;
      for (const Op& op : stage_ops(m, assign_layers(m, 1).front(), c)) sum += op.params;
      EXPECT_EQ(sum, count_params(m).total_with_mtp()) << name << " " << to_string(r);
    }
  }
}

TEST(LayerOps, RecomputeTradesSavedBytesForBackwardWork) {
  const ModelSpec m = preset("deepseek-v3");
  const auto keep = layer_ops(m, 3, ctx(4096, 4096, 1, false));
  const auto redo = layer_ops(m, 3, ctx(4096, 4096, 1, true));
  // TR 3.4: the MLA up-projections run again in the backward: dgrad grows by one forward.
  const Op kv_b = find(redo, "mla.kv_b");
  EXPECT_DOUBLE_EQ(kv_b.dgrad.value(), find(keep, "mla.kv_b").dgrad.value() + kv_b.fwd.value());
  EXPECT_DOUBLE_EQ(kv_b.saved.value(), 0.0);
  // Attention keeps only O and its LSE, 4096 * 128 * (2 * 128 + 4), and the shared RoPE key 4096 * 2 * 64
  // (K is rebuilt from the latent, which lacks it).
  EXPECT_DOUBLE_EQ(find(redo, "attention").saved.value(), 4096.0 * 128 * (2 * 128 + 4) + 4096.0 * 2 * 64);
  EXPECT_LT(sum_ops(redo).saved, sum_ops(keep).saved);
  EXPECT_GT(sum_ops(redo).dgrad, sum_ops(keep).dgrad);
}

TEST(LayerOps, EveryFp8GemmHasItsCastsWithBytesFromItsShape) {
  // R17: each FP8 GEMM's activation operands are quantised (1x128 tiles) before it. Per element a cast
  // reads BF16 (2 B) and writes FP8 (1 B) plus one FP32 scale per 128 elements: 3.03125 B.
  const auto ops = layer_ops(preset("deepseek-v3"), 3, ctx(4096, 4096));
  int fp8_gemms = 0;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (!ops[i].fp8 || !ops[i].is_matmul()) continue;
    ++fp8_gemms;
    ASSERT_GT(i, 0u);
    EXPECT_EQ(ops[i - 1].kind, OpKind::kFp8Cast) << ops[i].name;
    EXPECT_EQ(ops[i - 1].name, ops[i].name + ".cast");
  }
  // qkv_a, q_b, kv_b, o_proj, the shared and the routed experts' gate_up and down; not the BF16 router.
  EXPECT_EQ(fp8_gemms, 8);
  // o_proj, M = 4096, N = 7168, K = 16384: forward casts X (M x K), dgrad casts dY (M x N), wgrad casts X
  // and dY along the token axis.
  constexpr double kPerElem = 2 + 1 + 4.0 / 128;
  const Op cast = find(ops, "mla.o_proj.cast");
  EXPECT_DOUBLE_EQ(cast.fwd_bytes.value(), kPerElem * 4096 * 16384);
  EXPECT_DOUBLE_EQ(cast.dgrad_bytes.value(), kPerElem * 4096 * 7168);
  EXPECT_DOUBLE_EQ(cast.wgrad_bytes.value(), kPerElem * 4096 * (16384 + 7168));
  EXPECT_DOUBLE_EQ(cast.fwd.value(), 0.0);
  // The shared experts' down projection reads the SwiGLU's FP8 output: no forward cast, no launch.
  const Op down = find(ops, "moe.shared.down.cast");
  EXPECT_DOUBLE_EQ(down.fwd_bytes.value(), 0.0);
  EXPECT_EQ(down.fwd_launches, 0);
  // Under BF16 there is none.
  OpContext bf16 = ctx(4096, 4096);
  bf16.precision = Precision::kBf16;
  for (const Op& op : layer_ops(preset("deepseek-v3"), 3, bf16)) EXPECT_NE(op.kind, OpKind::kFp8Cast) << op.name;
}

TEST(LayerOps, SmallKernelsCarryBytesFromShapesAndTheirLaunches) {
  const auto ops = layer_ops(preset("deepseek-v3"), 3, ctx(4096, 4096));
  // RoPE on q (128 heads) and the shared key (1 head), 64 rotary channels, BF16 read + write:
  // 2 * 2 * 4096 * 129 * 64 bytes each way, one launch for q and one for k.
  const Op rope = find(ops, "mla.rope");
  EXPECT_DOUBLE_EQ(rope.fwd_bytes.value(), 4.0 * 4096 * 129 * 64);
  EXPECT_DOUBLE_EQ(rope.dgrad_bytes.value(), 4.0 * 4096 * 129 * 64);
  EXPECT_EQ(rope.fwd_launches, 2);
  // Residual add over T x d: reads x and f(x), writes the sum, BF16: 3 * 2 * 4096 * 7168.
  EXPECT_DOUBLE_EQ(find(ops, "attn_residual").fwd_bytes.value(), 6.0 * 4096 * 7168);
  EXPECT_DOUBLE_EQ(find(ops, "ffn_residual").fwd_bytes.value(), 6.0 * 4096 * 7168);
  // Router top-k: 8 passes over the FP32 scores forward (read + write, 4096 x 256) plus the int64
  // indices (4096 x 8); 4 passes backward; 30 and 20 launches (train.json).
  const Op topk = find(ops, "moe.router_topk");
  EXPECT_DOUBLE_EQ(topk.fwd_bytes.value(), 8 * 2 * 4.0 * 4096 * 256 + 8.0 * 4096 * 8);
  EXPECT_DOUBLE_EQ(topk.dgrad_bytes.value(), 4 * 2 * 4.0 * 4096 * 256);
  EXPECT_EQ(topk.fwd_launches, 30);
  EXPECT_EQ(topk.dgrad_launches, 20);
  // Permute index: reads the int64 top-k ids, writes two int32 per routed copy, and per-expert counts
  // and offsets (int32); forward only.
  const Op index = find(ops, "moe.permute_index");
  EXPECT_DOUBLE_EQ(index.fwd_bytes.value(), 4096.0 * 8 * (8 + 8) + 8.0 * 256);
  EXPECT_DOUBLE_EQ(index.dgrad_bytes.value(), 0.0);
  EXPECT_EQ(index.dgrad_launches, 0);
  for (const Op& op : ops) {
    if (op.kind == OpKind::kSmall) {
      EXPECT_EQ(op.params, 0) << op.name;
    }
  }
}

TEST(LayerOps, MtpSharesHeadWeightsButRunsTheHead) {
  const ModelSpec m = preset("deepseek-v3");
  const auto ops = mtp_ops(m, ctx(4096, 4096));
  const Op head = find(ops, "mtp.head");
  EXPECT_EQ(head.params, 0);
  EXPECT_DOUBLE_EQ(head.fwd.value(), 2.0 * 4096 * 129280 * 7168);
  EXPECT_FALSE(head.fp8);  // the head stays BF16 (R17)
  expect_shape(find(ops, "mtp.eh_proj"), 4096, 7168, 2 * 7168);
  EXPECT_EQ(find(ops, "mtp.expert.gate_up").groups, 256);  // the MTP block is an MoE layer
}

}  // namespace
}  // namespace deepsim

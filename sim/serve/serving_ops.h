// The ops of one micro-batch through one layer on one GPU of a serving unit, built from the model's op
// factory (sim/model) so FLOPs and bytes follow docs/model.md; forward pass only.
//  - Prefill attention: the training MLA/GQA block (layer_ops.h) over the micro-batch's new tokens, with
//    core attention over the cached prefix plus the causal new part: per new token h x (p + n/2) key
//    pairs for a request of prefix p and n new tokens.
//  - Decode attention (MLA): weight absorption as FlashMLA runs it: q_a/kv_a, q_b, q_nope x W_UK per head
//    (a batched GEMM into the latent), core attention of s_q query tokens over the whole latent cache
//    (K = d_c + d_R, V = d_c), the per-head W_UV, o_proj. GQA decodes over its K/V cache directly.
//  - MoE: router, shared experts, the routed experts on this GPU (expert slots / ep of them, each with
//    tokens x top_k x ep / slots routed tokens, balanced), the weighted combine; dense layers: the FFN.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/model/model_spec.h"
#include "sim/model/op.h"

namespace deepsim {

struct PrefillAttentionShape {
  std::int64_t tokens = 0;   // new (cache-miss) tokens of the micro-batch on this GPU's DP group
  double prefix_tokens = 0;  // mean cached prefix of a request
  double new_tokens = 0;     // mean new tokens of a request
  int tp = 1;
};

struct DecodeAttentionShape {
  std::int64_t requests = 0;  // requests of the micro-batch on this GPU's DP group
  int query_tokens = 1;       // tokens per request per step (2 with MTP: the token and its draft)
  double kv_tokens = 0;       // mean KV length attended over
  double kv_bytes_per_token_layer = 0;  // cache format (FP8: 656 B for V3)
  int tp = 1;
};

[[nodiscard]] std::vector<Op> prefill_attention_ops(const ModelSpec& m, const PrefillAttentionShape& s);
[[nodiscard]] std::vector<Op> decode_attention_ops(const ModelSpec& m, const DecodeAttentionShape& s);
// MoE block (or the dense FFN when `layer` is dense) of `tokens` tokens on one GPU of an EP group of
// `ep` GPUs holding `slots` expert slots (routed experts + redundant ones).
[[nodiscard]] std::vector<Op> ffn_ops(const ModelSpec& m, int layer, std::int64_t tokens, int ep, int slots);
// Final norm and output head (BF16) over `tokens`; no loss in serving.
[[nodiscard]] std::vector<Op> serving_head_ops(const ModelSpec& m, std::int64_t tokens);

}  // namespace deepsim

// One transformer block of the CPU reference model (MLA attention + dense FFN or MoE with the shared
// expert), forward with a cache and the exact backward. Built on the kernels' CPU references
// (attention, RoPE, RMSNorm, SwiGLU, router) plus plain loops for the MLA glue and the expert mixing.
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/config.h"
#include "runtime/cpu_ops.h"
#include "runtime/param_layout.h"

namespace deepsim::runtime::cpu {

// What a block needs besides its input: shapes, weights, where gradients go, RoPE table and positions.
struct BlockContext {
  const ModelConfig* model = nullptr;
  const ParamLayout* layout = nullptr;
  const std::vector<float>* params = nullptr;  // [kParamGroups] group buffers
  std::vector<float>* grads = nullptr;         // [kParamGroups], null for a forward-only pass
  const std::vector<float>* router_bias = nullptr;  // [routed_experts] of this layer (selection only)
  int layer = 0;
  int batch = 1;     // sequences
  int seq_len = 1;   // tokens per sequence
  const std::vector<std::int32_t>* positions = nullptr;  // [batch*seq_len]
  const std::vector<float>* cos_sin = nullptr;           // rope table
  [[nodiscard]] int tokens() const { return batch * seq_len; }
  [[nodiscard]] const float* w(ParamKind k) const;
  [[nodiscard]] float* g(ParamKind k) const;  // null when grads is null
};

struct AttentionCache {
  Vec x, h, qa, qn, q, kva, c, cn, kvb, k, v, o, lse;
};
struct FfnCache {
  Vec h2, a, z;                      // dense / shared expert: inputs of w13, its output, swiglu output
};
struct MoeCache {
  Vec h;                                  // [T][hidden] MoE input (normed)
  Vec logits;                             // [T][E] router logits (FP32, as the GPU router reads them)
  std::vector<std::int32_t> idx;          // [T][k] selected experts
  Vec gates;                              // [T][k] route_scale * s / sum(selected s)
  std::vector<std::int32_t> perm_row;     // [T][k] row of (t, slot) in the expert-sorted order
  std::vector<std::int32_t> offsets;      // [E+1]
  Vec x_perm;                             // [T*k][hidden] expert inputs, sorted by expert
  Vec a_perm, z_perm, y_perm;             // [T*k][2F], [T*k][F], [T*k][hidden]
  FfnCache shared;
};
struct BlockCache {
  AttentionCache attn;
  Vec x_mid, h2;
  bool moe = false;
  FfnCache ffn;
  MoeCache moe_cache;
};

// x_out = x + attn(norm(x)); x_out += ffn(norm(x_out)).
[[nodiscard]] Vec block_forward(const BlockContext& ctx, const Vec& x, BlockCache& cache);
// Returns dL/dx given dL/dx_out; adds weight gradients into ctx.grads.
[[nodiscard]] Vec block_backward(const BlockContext& ctx, const BlockCache& cache, const Vec& dout);

}  // namespace deepsim::runtime::cpu

// Internal to the CPU reference block: the attention, dense-FFN and MoE halves, forward and backward.
// Each returns its branch's output (forward) or dL/d(branch input) (backward); residuals are added by the
// block (cpu_layer_block.cpp).
#pragma once

#include "runtime/cpu_layer.h"

namespace deepsim::runtime::cpu {

[[nodiscard]] Vec attention_forward(const BlockContext& ctx, const Vec& x, AttentionCache& c);
[[nodiscard]] Vec attention_backward(const BlockContext& ctx, const AttentionCache& c, const Vec& dout);

// SwiGLU MLP with a fused [2*inter][hidden] input weight (gate rows, then up rows) and [hidden][inter] output.
[[nodiscard]] Vec mlp_forward(const Vec& h, const float* w13, const float* w2, int rows, int hidden, int inter,
                              FfnCache& c);
[[nodiscard]] Vec mlp_backward(const FfnCache& c, const Vec& dy, const float* w13, const float* w2, float* dw13,
                               float* dw2, int rows, int hidden, int inter);

[[nodiscard]] Vec moe_forward(const BlockContext& ctx, const Vec& h, MoeCache& c);
[[nodiscard]] Vec moe_backward(const BlockContext& ctx, const MoeCache& c, const Vec& dy);

}  // namespace deepsim::runtime::cpu

// Rotary position embedding on the decoupled RoPE part of MLA's q and k, in DeepSeek's *interleaved* layout
// (DeepSeek-V3 inference/model.py apply_rotary_emb: view_as_complex over adjacent pairs): the pair
// (x[2i], x[2i+1]) is rotated by angle pos * theta^(-2i/rope_dim), i = 0 .. rope_dim/2 - 1.
// (HF transformers' port permutes the weights into the rotate-half layout instead; this is not that.)
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <vector>

namespace deepsim::kernels {

struct RopeParams {
  __nv_bfloat16* x = nullptr;         // rotated in place; pair i of (token t, head h) at
                                      // x + t*token_stride + h*head_stride + rope_offset + 2i (and +1)
  long token_stride = 0;              // elements between consecutive tokens (e.g. heads*192 for q)
  long head_stride = 0;               // elements between consecutive heads (192 for q; unused if num_heads == 1)
  int rope_offset = 0;                // first rope element within a head (128 for q: after the nope part)
  const int32_t* positions = nullptr; // [num_tokens] position of each token in its sequence, < max_position
  const float* cos_sin = nullptr;     // [max_position][rope_dim/2][2] (cos, sin), FP32 (rope_cos_sin_table)
  int num_tokens = 0;
  int num_heads = 1;                  // 128 for q, 1 for the shared k_rope
  int rope_dim = 64;                  // d_h^R, even
  int max_position = 0;               // rows of cos_sin
  bool inverse = false;               // rotate by -angle: the backward pass, dx = R^T dy
};

// One thread per (token, head, pair); FP32 rotation, one bf16 rounding per element.
void rope_apply(const RopeParams& p, cudaStream_t stream);

// Host-side table for rope_apply and rope_reference: [max_position][rope_dim/2][2] = (cos, sin) of
// pos * theta^(-2i/rope_dim), computed in FP64. Plain RoPE; YaRN (DeepSeek's long-context extension)
// would supply a corrected table through the same layout.
[[nodiscard]] std::vector<float> rope_cos_sin_table(int max_position, int rope_dim, double theta = 10000.0);

}  // namespace deepsim::kernels

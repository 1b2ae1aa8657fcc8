// CPU references for the MLA attention path: causal attention forward/backward, interleaved RoPE, the
// K/V assembly glue and the whole MLA down/up projection path. Plain loops, FP64 accumulation, FP32 storage;
// the GPU kernels (attention.h, rope.h, attention_mla_glue.h) are tested against these.
#pragma once

#include <cstdint>
#include <vector>

namespace deepsim::kernels {

// Shapes of a causal self-attention problem. Tensors use the GPU layouts of attention.h:
// q, k [batch, seq_len, heads, d_qk]; v, o [batch, seq_len, heads, d_v]; lse [batch, heads, seq_len].
struct AttentionRefShape {
  int batch = 1;
  int seq_len = 1;
  int heads = 1;
  int d_qk = 192;
  int d_v = 128;
  float softmax_scale = 0.f;  // multiplies q.k
};

struct AttentionRefForward {
  std::vector<float> o;    // [batch, seq_len, heads, d_v]
  std::vector<float> lse;  // [batch, heads, seq_len], natural log
};

struct AttentionRefGrads {
  std::vector<float> dq;  // [batch, seq_len, heads, d_qk]
  std::vector<float> dk;  // [batch, seq_len, heads, d_qk]
  std::vector<float> dv;  // [batch, seq_len, heads, d_v]
};

// Row by row: scores over keys j <= i, softmax with the row max subtracted, weighted sum of v.
[[nodiscard]] AttentionRefForward attention_forward_reference(const AttentionRefShape& s, const std::vector<float>& q,
                                                              const std::vector<float>& k, const std::vector<float>& v);

// The flash backward equations with P rebuilt from lse: delta_i = dO_i.O_i, P_ij = exp(scale q_i.k_j - lse_i),
// dV_j = sum_i P_ij dO_i, dS_ij = P_ij (dO_i.v_j - delta_i), dQ_i = scale sum_j dS_ij k_j,
// dK_j = scale sum_i dS_ij q_i (sums over the causal pairs j <= i only).
[[nodiscard]] AttentionRefGrads attention_backward_reference(const AttentionRefShape& s, const std::vector<float>& q,
                                                             const std::vector<float>& k, const std::vector<float>& v,
                                                             const AttentionRefForward& fwd,
                                                             const std::vector<float>& dout);

// --- RoPE, DeepSeek's interleaved layout: pairs (x[2i], x[2i+1]) rotate by pos * theta^(-2i/rope_dim).
// The cos/sin table comes from rope_cos_sin_table (rope.h). ---

// Rotates, in place, `rope_dim` values starting at x + t*token_stride + h*head_stride + rope_offset for every
// token t (at position positions[t]) and head h: (x0, x1) -> (x0 c - x1 s, x0 s + x1 c). inverse = true
// rotates by -angle, which is the backward pass (R is orthogonal: dx = R^T dy).
void rope_reference(std::vector<float>& x, int num_tokens, int num_heads, long token_stride, long head_stride,
                    int rope_offset, int rope_dim, const std::vector<int32_t>& positions,
                    const std::vector<float>& cos_sin, bool inverse);

// --- MLA K/V assembly glue ---

// kv_b [tokens, heads, 256] (per head k_nope 128 | v 128, the wkv_b output) and the shared post-RoPE key
// k_rope [tokens, 64] -> k [tokens, heads, 192] (k_nope | k_rope broadcast over heads), v [tokens, heads, 128].
void mla_kv_assemble_reference(const std::vector<float>& kv_b, const std::vector<float>& k_rope, int tokens,
                               int heads, std::vector<float>& k, std::vector<float>& v);
// Its adjoint: dkv_b = (dk_nope | dv) per head; dk_rope[t] = sum over heads of dk[t, h, 128:192].
void mla_kv_assemble_backward_reference(const std::vector<float>& dk, const std::vector<float>& dv, int tokens,
                                        int heads, std::vector<float>& dkv_b, std::vector<float>& dk_rope);

// --- The MLA projection path (DeepSeek-V3 model.py, MLA.forward, naive attention mode) ---

struct MlaProjectionDims {
  int hidden = 7168;
  int q_lora_rank = 1536;  // d'_c
  int kv_lora_rank = 512;  // d_c
  int heads = 128;
  int qk_nope = 128;
  int qk_rope = 64;
  int v_dim = 128;
  float norm_eps = 1e-6f;
};

// Linear weights in nn.Linear layout [out_features, in_features], row-major; norm weights per channel.
struct MlaProjectionWeights {
  std::vector<float> wq_a;     // [q_lora_rank, hidden]
  std::vector<float> q_norm;   // [q_lora_rank]
  std::vector<float> wq_b;     // [heads * (qk_nope + qk_rope), q_lora_rank]
  std::vector<float> wkv_a;    // [kv_lora_rank + qk_rope, hidden]
  std::vector<float> kv_norm;  // [kv_lora_rank]
  std::vector<float> wkv_b;    // [heads * (qk_nope + v_dim), kv_lora_rank]
};

struct MlaProjectionOutput {
  std::vector<float> q;       // [tokens, heads, qk_nope + qk_rope], RoPE applied to the rope part
  std::vector<float> k;       // [tokens, heads, qk_nope + qk_rope], shared k_rope broadcast
  std::vector<float> v;       // [tokens, heads, v_dim]
  std::vector<float> latent;  // [tokens, kv_lora_rank] normalised compressed KV (what inference caches)
  std::vector<float> k_rope;  // [tokens, qk_rope] post-RoPE shared key
};

// x [tokens, hidden] at positions[t]: q = wq_b(RMSNorm(wq_a x)); kv_a = wkv_a x = (c | k_rope);
// latent = RMSNorm(c); kv_b = wkv_b latent = per head (k_nope | v); RoPE on q's rope part and on k_rope.
[[nodiscard]] MlaProjectionOutput mla_projection_reference(const MlaProjectionDims& d, const MlaProjectionWeights& w,
                                                           const std::vector<float>& x,
                                                           const std::vector<int32_t>& positions,
                                                           const std::vector<float>& cos_sin);

}  // namespace deepsim::kernels

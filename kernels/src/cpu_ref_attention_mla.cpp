// CPU references for MLA's RoPE, K/V assembly glue and projection path (cpu_ref_attention.h).
#include <cstddef>
#include <vector>

#include "kernels/cpu_ref_attention.h"
#include "kernels/cpu_ref_layer.h"

namespace deepsim::kernels {
namespace {

constexpr int kKNope = 128;  // k_nope / v widths of the glue (DeepSeek-V3 R8)
constexpr int kKRope = 64;
constexpr int kV = 128;
constexpr int kKvB = kKNope + kV;  // 256 per head in the wkv_b output
constexpr int kK = kKNope + kKRope;  // 192

// y[t, o] = sum_i w[o, i] x[t, i]  (nn.Linear, w row-major [out, in]), FP64 accumulation.
std::vector<float> linear(const std::vector<float>& x, const std::vector<float>& w, int tokens, int in, int out) {
  std::vector<float> y(static_cast<std::size_t>(tokens) * out);
  for (int t = 0; t < tokens; ++t) {
    for (int o = 0; o < out; ++o) {
      double acc = 0.0;
      for (int i = 0; i < in; ++i)
        acc += static_cast<double>(w[static_cast<std::size_t>(o) * in + i]) * x[static_cast<std::size_t>(t) * in + i];
      y[static_cast<std::size_t>(t) * out + o] = static_cast<float>(acc);
    }
  }
  return y;
}

}  // namespace

void rope_reference(std::vector<float>& x, int num_tokens, int num_heads, long token_stride, long head_stride,
                    int rope_offset, int rope_dim, const std::vector<int32_t>& positions,
                    const std::vector<float>& cos_sin, bool inverse) {
  const int pairs = rope_dim / 2;
  for (int t = 0; t < num_tokens; ++t) {
    for (int h = 0; h < num_heads; ++h) {
      float* base = &x[static_cast<std::size_t>(t * token_stride + h * head_stride + rope_offset)];
      for (int i = 0; i < pairs; ++i) {
        const std::size_t at = (static_cast<std::size_t>(positions[t]) * pairs + i) * 2;
        const double c = cos_sin[at];
        const double s = inverse ? -static_cast<double>(cos_sin[at + 1]) : cos_sin[at + 1];
        const double x0 = base[2 * i];
        const double x1 = base[2 * i + 1];
        base[2 * i] = static_cast<float>(x0 * c - x1 * s);
        base[2 * i + 1] = static_cast<float>(x0 * s + x1 * c);
      }
    }
  }
}

void mla_kv_assemble_reference(const std::vector<float>& kv_b, const std::vector<float>& k_rope, int tokens,
                               int heads, std::vector<float>& k, std::vector<float>& v) {
  k.assign(static_cast<std::size_t>(tokens) * heads * kK, 0.f);
  v.assign(static_cast<std::size_t>(tokens) * heads * kV, 0.f);
  for (int t = 0; t < tokens; ++t) {
    for (int h = 0; h < heads; ++h) {
      const std::size_t th = static_cast<std::size_t>(t) * heads + h;
      for (int d = 0; d < kKNope; ++d) k[th * kK + d] = kv_b[th * kKvB + d];
      for (int d = 0; d < kKRope; ++d) k[th * kK + kKNope + d] = k_rope[static_cast<std::size_t>(t) * kKRope + d];
      for (int d = 0; d < kV; ++d) v[th * kV + d] = kv_b[th * kKvB + kKNope + d];
    }
  }
}

void mla_kv_assemble_backward_reference(const std::vector<float>& dk, const std::vector<float>& dv, int tokens,
                                        int heads, std::vector<float>& dkv_b, std::vector<float>& dk_rope) {
  dkv_b.assign(static_cast<std::size_t>(tokens) * heads * kKvB, 0.f);
  dk_rope.assign(static_cast<std::size_t>(tokens) * kKRope, 0.f);
  for (int t = 0; t < tokens; ++t) {
    std::vector<double> rope_sum(kKRope, 0.0);
    for (int h = 0; h < heads; ++h) {
      const std::size_t th = static_cast<std::size_t>(t) * heads + h;
      for (int d = 0; d < kKNope; ++d) dkv_b[th * kKvB + d] = dk[th * kK + d];
      for (int d = 0; d < kV; ++d) dkv_b[th * kKvB + kKNope + d] = dv[th * kV + d];
      for (int d = 0; d < kKRope; ++d) rope_sum[d] += dk[th * kK + kKNope + d];
    }
    for (int d = 0; d < kKRope; ++d) dk_rope[static_cast<std::size_t>(t) * kKRope + d] = static_cast<float>(rope_sum[d]);
  }
}

MlaProjectionOutput mla_projection_reference(const MlaProjectionDims& d, const MlaProjectionWeights& w,
                                             const std::vector<float>& x, const std::vector<int32_t>& positions,
                                             const std::vector<float>& cos_sin) {
  const int tokens = static_cast<int>(positions.size());
  const int qk_head = d.qk_nope + d.qk_rope;
  MlaProjectionOutput out;

  // Query path: down-projection, RMSNorm, up-projection to all heads, RoPE on each head's rope part.
  const std::vector<float> q_a = linear(x, w.wq_a, tokens, d.hidden, d.q_lora_rank);
  const RmsNormRefResult q_n = rmsnorm_forward_reference(q_a, w.q_norm, tokens, d.q_lora_rank, d.norm_eps);
  out.q = linear(q_n.y, w.wq_b, tokens, d.q_lora_rank, d.heads * qk_head);
  rope_reference(out.q, tokens, d.heads, static_cast<long>(d.heads) * qk_head, qk_head, d.qk_nope, d.qk_rope,
                 positions, cos_sin, false);

  // KV path: one down-projection gives the compressed latent c and the shared rope key.
  const int kv_a_width = d.kv_lora_rank + d.qk_rope;
  const std::vector<float> kv_a = linear(x, w.wkv_a, tokens, d.hidden, kv_a_width);
  std::vector<float> c(static_cast<std::size_t>(tokens) * d.kv_lora_rank);
  out.k_rope.resize(static_cast<std::size_t>(tokens) * d.qk_rope);
  for (int t = 0; t < tokens; ++t) {
    for (int i = 0; i < d.kv_lora_rank; ++i)
      c[static_cast<std::size_t>(t) * d.kv_lora_rank + i] = kv_a[static_cast<std::size_t>(t) * kv_a_width + i];
    for (int i = 0; i < d.qk_rope; ++i)
      out.k_rope[static_cast<std::size_t>(t) * d.qk_rope + i] =
          kv_a[static_cast<std::size_t>(t) * kv_a_width + d.kv_lora_rank + i];
  }
  rope_reference(out.k_rope, tokens, 1, d.qk_rope, 0, 0, d.qk_rope, positions, cos_sin, false);
  out.latent = rmsnorm_forward_reference(c, w.kv_norm, tokens, d.kv_lora_rank, d.norm_eps).y;
  const int kv_b_head = d.qk_nope + d.v_dim;
  const std::vector<float> kv_b = linear(out.latent, w.wkv_b, tokens, d.kv_lora_rank, d.heads * kv_b_head);

  // Glue: per head k = (k_nope | shared k_rope), v.
  out.k.resize(static_cast<std::size_t>(tokens) * d.heads * qk_head);
  out.v.resize(static_cast<std::size_t>(tokens) * d.heads * d.v_dim);
  for (int t = 0; t < tokens; ++t) {
    for (int h = 0; h < d.heads; ++h) {
      const std::size_t th = static_cast<std::size_t>(t) * d.heads + h;
      for (int i = 0; i < d.qk_nope; ++i) out.k[th * qk_head + i] = kv_b[th * kv_b_head + i];
      for (int i = 0; i < d.qk_rope; ++i)
        out.k[th * qk_head + d.qk_nope + i] = out.k_rope[static_cast<std::size_t>(t) * d.qk_rope + i];
      for (int i = 0; i < d.v_dim; ++i) out.v[th * d.v_dim + i] = kv_b[th * kv_b_head + d.qk_nope + i];
    }
  }
  return out;
}

}  // namespace deepsim::kernels

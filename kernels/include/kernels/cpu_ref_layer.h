// CPU references for the non-attention kernels of a DeepSeek-V3 layer: RMSNorm, SwiGLU, cross-entropy,
// AdamW, the group-limited sigmoid router and the MoE permutation. Plain loops, FP64 accumulation where a
// sum is taken, FP32 storage; the GPU kernels are tested against these.
#pragma once

#include <cstdint>
#include <vector>

namespace deepsim::kernels {

// --- RMSNorm: y = x / sqrt(mean(x^2) + eps) * w, rows of `hidden` contiguous values ---
struct RmsNormRefResult {
  std::vector<float> y;     // [rows, hidden]
  std::vector<float> rstd;  // [rows] 1 / sqrt(mean(x^2) + eps)
};
[[nodiscard]] RmsNormRefResult rmsnorm_forward_reference(const std::vector<float>& x, const std::vector<float>& w,
                                                         int rows, int hidden, float eps);
// dx = rstd * (w*dy - xhat * mean(w*dy*xhat)), xhat = x*rstd;  dw = sum_rows dy*xhat.
void rmsnorm_backward_reference(const std::vector<float>& x, const std::vector<float>& w,
                                const std::vector<float>& dy, int rows, int hidden, float eps,
                                std::vector<float>& dx, std::vector<float>& dw);

// --- SwiGLU: h = silu(g) * u, silu(g) = g * sigmoid(g) ---
[[nodiscard]] std::vector<float> swiglu_forward_reference(const std::vector<float>& gate, const std::vector<float>& up);
// dg = dh * u * sigmoid(g) * (1 + g * (1 - sigmoid(g))),  du = dh * silu(g).
void swiglu_backward_reference(const std::vector<float>& gate, const std::vector<float>& up,
                               const std::vector<float>& dh, std::vector<float>& dgate, std::vector<float>& dup);

// --- Cross-entropy over the vocabulary: loss_t = logsumexp(z_t) - z_t[target_t]; target < 0 is ignored
// (loss 0, gradient 0). dlogits = grad_scale * (softmax(z_t) - onehot(target_t)). ---
void cross_entropy_reference(const std::vector<float>& logits, const std::vector<int32_t>& targets, int rows,
                             int vocab, float grad_scale, std::vector<float>& loss, std::vector<float>& dlogits);

// --- AdamW (decoupled weight decay, PyTorch order) on one FP32 master tensor; step is 1-based.
// m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w = w (1 - lr wd) - lr (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps).
struct AdamWHyper {
  float lr = 0.f;
  float beta1 = 0.9f;
  float beta2 = 0.95f;  // DeepSeek-V3 TR §4.2
  float eps = 1e-8f;
  float weight_decay = 0.1f;  // DeepSeek-V3 TR §4.2
  int step = 1;
};
void adamw_reference(std::vector<float>& master, const std::vector<float>& grad, std::vector<float>& m,
                     std::vector<float>& v, const AdamWHyper& h);

// --- Router: sigmoid affinities, bias for selection only, group-limited top-k (DeepSeek-V3 Gate.forward) ---
struct RouterConfig {
  int num_experts = 256;
  int num_groups = 8;      // n_expert_groups
  int limited_groups = 4;  // n_limited_groups (node limit M)
  int top_k = 8;
  float route_scale = 2.5f;
};
struct RouterRefResult {
  std::vector<int32_t> topk_idx;  // [tokens, top_k] by descending biased score, ties to the lower index
  std::vector<float> topk_gate;   // [tokens, top_k] route_scale * s_e / sum of the selected s (unbiased)
};
// logits [tokens, num_experts], bias [num_experts]. s = sigmoid(logit); b = s + bias; group score = sum of
// the two largest b in the group; keep the limited_groups best groups; top_k largest b among their experts.
[[nodiscard]] RouterRefResult router_reference(const std::vector<float>& logits, const std::vector<float>& bias,
                                               int tokens, const RouterConfig& cfg);

// --- MoE permutation: stable expert-contiguous order (by expert, then token index) ---
struct MoePermuteRefResult {
  std::vector<int32_t> expert_counts;   // [num_experts]
  std::vector<int32_t> expert_offsets;  // [num_experts + 1], exclusive prefix sum of counts
  std::vector<int32_t> perm_row;        // [tokens, top_k] row of the permuted matrix holding (token, slot)
  std::vector<int32_t> perm_token;      // [tokens * top_k] source token of each permuted row
  std::vector<float> x_perm;            // [tokens * top_k, hidden]
};
[[nodiscard]] MoePermuteRefResult moe_permute_reference(const std::vector<int32_t>& topk_idx,
                                                        const std::vector<float>& x, int tokens, int top_k,
                                                        int num_experts, int hidden);
// out[t] = sum_k gate[t,k] * y_perm[perm_row[t,k]].
[[nodiscard]] std::vector<float> moe_unpermute_reference(const std::vector<float>& y_perm,
                                                         const std::vector<int32_t>& perm_row,
                                                         const std::vector<float>& gates, int tokens, int top_k,
                                                         int hidden);

}  // namespace deepsim::kernels

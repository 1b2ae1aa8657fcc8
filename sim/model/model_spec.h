// ModelSpec: the hyper-parameters of a transformer LLM, enough to derive every op's FLOPs, bytes,
// parameters and memory. Presets (presets.cpp) come from the published configs; a scenario may name a
// preset, override fields of one, or spell every field out.
#pragma once

#include <string>

namespace deepsim {

enum class AttentionKind {
  kMla,  // multi-head latent attention (DeepSeek-V2/V3)
  kGqa,  // grouped-query attention (Llama, Qwen); MHA is GQA with kv_heads = heads, MQA with kv_heads = 1
};

// How the attention core (QK^T, mask, softmax, dropout, PV) runs.
enum class AttentionCore {
  kFlash,    // one fused kernel per pass; keeps Q, K, V, O and the softmax statistics, never S x S
  kUnfused,  // Megatron's unfused path: two batched GEMMs around a fused scale-mask-softmax and a dropout,
             // the S x S scores materialised in HBM (Korthikanti et al. 2022, section 4.1)
};

enum class NormKind {
  kRmsNorm,    // gain only (Llama, DeepSeek, Qwen)
  kLayerNorm,  // gain and bias, mean subtracted (GPT, Megatron GPT)
};

enum class MlpKind {
  kSwiglu,  // silu(x W_gate) * (x W_up), then W_down: 3 matrices
  kGelu,    // gelu(x W_1 + b_1) W_2: 2 matrices (GPT)
};

struct AttentionSpec {
  AttentionKind kind = AttentionKind::kMla;
  int heads = 0;             // query heads n_h
  // GQA
  int kv_heads = 0;          // key/value heads
  int head_dim = 0;          // d_h for q, k, v
  // MLA (DeepSeek-V3: q_lora 1536, kv_lora 512, qk_nope 128, qk_rope 64, v 128)
  int q_lora_rank = 0;       // d'_c; 0 means q is projected directly from the hidden state
  int kv_lora_rank = 0;      // d_c
  int qk_nope_head_dim = 0;  // d_h
  int qk_rope_head_dim = 0;  // d_h^R
  int v_head_dim = 0;
  bool qkv_bias = false;     // q, k and v projections carry a bias vector (Qwen2.5)
  AttentionCore core = AttentionCore::kFlash;

  bool operator==(const AttentionSpec&) const = default;
};

struct MoeSpec {
  int routed_experts = 0;      // 0 means a dense model
  int shared_experts = 0;
  int expert_intermediate = 0; // FFN inner size of one expert
  int top_k = 0;               // routed experts per token
  int expert_groups = 1;       // groups for group-limited routing (V3: 8)
  int limited_groups = 1;      // groups a token may use (V3: 4)
  int first_dense_layers = 0;  // the first k layers use the dense FFN (V3: 3)
  int moe_layer_freq = 1;      // every n-th layer after the dense ones is MoE
  bool router_bias = false;    // per-expert score bias for aux-loss-free balancing (V3 e_score_correction_bias)

  bool operator==(const MoeSpec&) const = default;
};

struct ModelSpec {
  std::string name;
  int layers = 0;
  int hidden = 0;
  int vocab = 0;
  int dense_intermediate = 0;  // FFN inner size of dense layers (SwiGLU: 3 matrices, GELU: 2)
  MlpKind mlp = MlpKind::kSwiglu;   // the dense FFN's kind (routed and shared experts are SwiGLU)
  NormKind norm = NormKind::kRmsNorm;
  // Every attention and MLP Linear carries a bias (GPT-2/3, Megatron GPT); qkv_bias covers q/k/v only.
  bool linear_bias = false;
  // Dropout probability of the attention probabilities and of the hidden states after the attention
  // and MLP output projections (Megatron GPT: 0.1 both); 0 runs no dropout kernels and keeps no masks.
  double dropout = 0;
  int position_embeddings = 0; // rows of a learned absolute position table (GPT: seq len); 0: rotary
  AttentionSpec attention;
  MoeSpec moe;
  int mtp_depth = 0;           // multi-token-prediction modules (V3: 1)
  bool tie_embeddings = false;
  std::string source;          // where the hyper-parameters come from

  [[nodiscard]] bool is_moe() const { return moe.routed_experts > 0; }
  [[nodiscard]] bool is_moe_layer(int layer) const;  // 0-based layer index
  [[nodiscard]] int mlp_matrices() const { return mlp == MlpKind::kGelu ? 2 : 3; }  // of the dense FFN
  [[nodiscard]] int norm_params(int width) const { return norm == NormKind::kLayerNorm ? 2 * width : width; }

  bool operator==(const ModelSpec&) const = default;
};

}  // namespace deepsim

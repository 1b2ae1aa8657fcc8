// ModelSpec: the hyper-parameters of a transformer LLM, enough to derive every op's FLOPs, bytes,
// parameters and memory. Presets (presets.cpp) come from the published configs; a scenario may name a
// preset, override fields of one, or spell every field out.
#pragma once

#include <string>

namespace deepsim {

enum class AttentionKind {
  kMla,  // multi-head latent attention (DeepSeek-V2/V3)
  kGqa,  // grouped-query attention (Llama, Qwen); MHA is GQA with kv_heads = heads
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
  int dense_intermediate = 0;  // FFN inner size of dense layers (SwiGLU: 3 matrices)
  AttentionSpec attention;
  MoeSpec moe;
  int mtp_depth = 0;           // multi-token-prediction modules (V3: 1)
  bool tie_embeddings = false;
  std::string source;          // where the hyper-parameters come from

  [[nodiscard]] bool is_moe() const { return moe.routed_experts > 0; }
  [[nodiscard]] bool is_moe_layer(int layer) const;  // 0-based layer index

  bool operator==(const ModelSpec&) const = default;
};

}  // namespace deepsim

#include "sim/model/presets.h"


#include "sim/core/suggest.h"

namespace deepsim {
namespace {

ModelSpec deepseek_v3() {
  ModelSpec m;
  m.name = "deepseek-v3";
  m.layers = 61;
  m.hidden = 7168;
  m.vocab = 129280;
  m.dense_intermediate = 18432;
  m.attention = {.kind = AttentionKind::kMla, .heads = 128, .kv_heads = 128, .head_dim = 0,
                 .q_lora_rank = 1536, .kv_lora_rank = 512, .qk_nope_head_dim = 128, .qk_rope_head_dim = 64,
                 .v_head_dim = 128};
  m.moe = {.routed_experts = 256, .shared_experts = 1, .expert_intermediate = 2048, .top_k = 8,
           .expert_groups = 8, .limited_groups = 4, .first_dense_layers = 3, .moe_layer_freq = 1,
           .router_bias = true};
  m.mtp_depth = 1;
  m.source = "DeepSeek-V3 TR 4.2; DeepSeek-V3/inference/configs/config_671B.json (reference R8); "
             "router_bias: the e_score_correction_bias of the aux-loss-free balancing";
  return m;
}

ModelSpec deepseek_v2() {
  ModelSpec m;
  m.name = "deepseek-v2";
  m.layers = 60;
  m.hidden = 5120;
  m.vocab = 102400;
  m.dense_intermediate = 12288;
  m.attention = {.kind = AttentionKind::kMla, .heads = 128, .kv_heads = 128, .head_dim = 0,
                 .q_lora_rank = 1536, .kv_lora_rank = 512, .qk_nope_head_dim = 128, .qk_rope_head_dim = 64,
                 .v_head_dim = 128};
  m.moe = {.routed_experts = 160, .shared_experts = 2, .expert_intermediate = 1536, .top_k = 6,
           .expert_groups = 8, .limited_groups = 3, .first_dense_layers = 1, .moe_layer_freq = 1};
  m.source = "DeepSeek-V2 paper (arXiv 2405.04434) 3.1; deepseek-ai/DeepSeek-V2 config.json";
  return m;
}

ModelSpec llama31_405b() {
  ModelSpec m;
  m.name = "llama-3.1-405b";
  m.layers = 126;
  m.hidden = 16384;
  m.vocab = 128256;
  m.dense_intermediate = 53248;
  m.attention = {.kind = AttentionKind::kGqa, .heads = 128, .kv_heads = 8, .head_dim = 128};
  m.source = "Llama 3 herd paper (arXiv 2407.21783) Table 3; meta-llama/Llama-3.1-405B config.json";
  return m;
}

ModelSpec qwen25_72b() {
  ModelSpec m;
  m.name = "qwen2.5-72b";
  m.layers = 80;
  m.hidden = 8192;
  m.vocab = 152064;
  m.dense_intermediate = 29568;
  m.attention = {.kind = AttentionKind::kGqa, .heads = 64, .kv_heads = 8, .head_dim = 128, .qkv_bias = true};
  m.source = "Qwen2.5 technical report (arXiv 2412.15115) Table 1; Qwen/Qwen2.5-72B config.json "
             "(attention_bias on q/k/v)";
  return m;
}

// Llama 3 (8B, 70B): GQA with 8 KV heads, SwiGLU, RMSNorm, RoPE, untied embeddings, no biases.
ModelSpec llama3(const char* name, int layers, int hidden, int heads, int ffn, const char* source) {
  ModelSpec m;
  m.name = name;
  m.layers = layers;
  m.hidden = hidden;
  m.vocab = 128256;
  m.dense_intermediate = ffn;
  m.attention = {.kind = AttentionKind::kGqa, .heads = heads, .kv_heads = 8, .head_dim = hidden / heads};
  m.source = source;
  return m;
}

// Mixtral (8x7B, 8x22B): Mistral's GQA layer with every FFN a sparse MoE of 8 SwiGLU experts, top-2,
// softmax gating without a bias, no shared experts.
ModelSpec mixtral(const char* name, int layers, int hidden, int heads, int expert_ffn, int vocab, const char* source) {
  ModelSpec m;
  m.name = name;
  m.layers = layers;
  m.hidden = hidden;
  m.vocab = vocab;
  m.attention = {.kind = AttentionKind::kGqa, .heads = heads, .kv_heads = 8, .head_dim = 128};
  m.moe = {.routed_experts = 8, .shared_experts = 0, .expert_intermediate = expert_ffn, .top_k = 2,
           .expert_groups = 1, .limited_groups = 1, .first_dense_layers = 0, .moe_layer_freq = 1};
  m.source = source;
  return m;
}

// Megatron GPT as trained on Selene (Korthikanti et al. 2022 Table 3; Narayanan et al. 2021 Table 1):
// MHA with head dim h/a, GELU MLP of 4h, LayerNorm, biases on every Linear, dropout 0.1, learned
// position embeddings of the sequence length 2048, embeddings tied to the head, vocabulary 51200
// (GPT-2's 50257 padded, ../shared/reference/dense-validation.md).
ModelSpec megatron_gpt(const char* name, int layers, int hidden, int heads) {
  ModelSpec m;
  m.name = name;
  m.layers = layers;
  m.hidden = hidden;
  m.vocab = 51200;
  m.dense_intermediate = 4 * hidden;
  m.mlp = MlpKind::kGelu;
  m.norm = NormKind::kLayerNorm;
  m.linear_bias = true;
  m.dropout = 0.1;
  m.position_embeddings = 2048;
  m.tie_embeddings = true;
  m.attention = {.kind = AttentionKind::kGqa, .heads = heads, .kv_heads = heads, .head_dim = hidden / heads,
                 .core = AttentionCore::kUnfused};
  m.source = "Korthikanti et al. 2022 (arXiv 2205.05198) Table 3; Narayanan et al. 2021 (arXiv 2104.04473) "
             "Table 1 and 3.1 (P = 12lh^2(1 + 13/12h + (V + s)/12lh)); Megatron-LM GPT defaults (GELU, "
             "LayerNorm, biases, dropout 0.1, learned positions, tied embeddings, unfused softmax attention)";
  return m;
}

const std::vector<ModelSpec>& presets() {
  static const std::vector<ModelSpec> list = {
      deepseek_v3(),
      deepseek_v2(),
      llama3("llama-3-8b", 32, 4096, 32, 14336,
             "Llama 3 herd paper (arXiv 2407.21783) Table 3; meta-llama/Meta-Llama-3-8B config.json"),
      llama3("llama-3-70b", 80, 8192, 64, 28672,
             "Llama 3 herd paper (arXiv 2407.21783) Table 3; meta-llama/Meta-Llama-3-70B config.json"),
      llama31_405b(),
      mixtral("mixtral-8x7b", 32, 4096, 32, 14336, 32000,
              "Mixtral of Experts (arXiv 2401.04088) Table 1; mistralai/Mixtral-8x7B-v0.1 config.json"),
      mixtral("mixtral-8x22b", 56, 6144, 48, 16384, 32768,
              "Mistral AI, Mixtral 8x22B announcement (141B total, 39B active); mistralai/Mixtral-8x22B-v0.1 "
              "config.json"),
      qwen25_72b(),
      megatron_gpt("gpt-22b", 48, 6144, 64),
      megatron_gpt("gpt-175b", 96, 12288, 96),
      megatron_gpt("gpt-530b", 105, 20480, 128),
      megatron_gpt("gpt-1t", 128, 25600, 160),
  };
  return list;
}

}  // namespace

std::optional<ModelSpec> find_model_preset(std::string_view name) {
  for (const auto& m : presets())
    if (iequals(m.name, name)) return m;
  return std::nullopt;
}

std::vector<std::string> model_preset_names() {
  std::vector<std::string> names;
  for (const auto& m : presets()) names.push_back(m.name);
  return names;
}

}  // namespace deepsim

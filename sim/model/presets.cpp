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

const std::vector<ModelSpec>& presets() {
  static const std::vector<ModelSpec> list = {deepseek_v3(), deepseek_v2(), llama31_405b(), qwen25_72b()};
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

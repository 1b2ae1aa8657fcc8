// Schema rows for the `model:` section. `preset` replaces the whole ModelSpec first; every other key then
// overrides one field of it, or, without a preset, spells the model out (Need::kUnlessPreset keys).
#include "sim/model/presets.h"
#include "sim/scenario/schema_builders.h"

namespace deepsim {
namespace {

using namespace schema_detail;

std::vector<std::string> attention_names() { return {"mla", "gqa"}; }
const char* attention_name(AttentionKind k) { return k == AttentionKind::kMla ? "mla" : "gqa"; }
std::vector<std::string> core_names() { return {"flash", "unfused"}; }
const char* core_name(AttentionCore k) { return k == AttentionCore::kFlash ? "flash" : "unfused"; }
std::vector<std::string> mlp_names() { return {"swiglu", "gelu"}; }
const char* mlp_name(MlpKind k) { return k == MlpKind::kSwiglu ? "swiglu" : "gelu"; }
std::vector<std::string> norm_names() { return {"rmsnorm", "layernorm"}; }
const char* norm_name(NormKind k) { return k == NormKind::kRmsNorm ? "rmsnorm" : "layernorm"; }

Field preset_field() {
  Field f = make_field(
      "model.preset", FieldKind::kChoice, 0, 0,
      {"", "published model to start from; the other model keys override its fields", Need::kOptional, "none"});
  f.choices = model_preset_names;
  f.set = [](Scenario& s, const FieldValue& v) { s.model = find_model_preset(std::get<std::string>(v)).value(); };
  f.get = [](const Scenario&) -> std::optional<FieldValue> { return std::nullopt; };  // written out in full
  return f;
}

constexpr auto M = &Scenario::model;

void add_attention_fields(std::vector<Field>& out) {
  constexpr auto A = &ModelSpec::attention;
  using S = AttentionSpec;
  constexpr double kDim = 1 << 16;
  out.push_back(enum_field<attention_names, attention_name, M, A, &S::kind>(
      "model.attention.kind",
      {"", "mla (multi-head latent) or gqa (grouped-query; MHA is kv_heads = heads)", Need::kUnlessPreset}));
  out.push_back(
      int_field<M, A, &S::heads>("model.attention.heads", 1, kDim, {"", "query heads n_h", Need::kUnlessPreset}));
  out.push_back(
      int_field<M, A, &S::kv_heads>("model.attention.kv_heads", 0, kDim, {"", "key/value heads (gqa: required)"}));
  out.push_back(
      int_field<M, A, &S::head_dim>("model.attention.head_dim", 0, kDim, {"", "q/k/v head size (gqa: required)"}));
  out.push_back(int_field<M, A, &S::q_lora_rank>("model.attention.q_lora_rank", 0, kDim,
                                                 {"", "mla query compression d'_c; 0: q projected directly"}));
  out.push_back(int_field<M, A, &S::kv_lora_rank>("model.attention.kv_lora_rank", 0, kDim,
                                                  {"", "mla key/value compression d_c (mla: required)"}));
  out.push_back(int_field<M, A, &S::qk_nope_head_dim>("model.attention.qk_nope_head_dim", 0, kDim,
                                                      {"", "mla per-head q/k size without RoPE (mla: required)"}));
  out.push_back(int_field<M, A, &S::qk_rope_head_dim>("model.attention.qk_rope_head_dim", 0, kDim,
                                                      {"", "mla decoupled RoPE head size d_h^R (mla: required)"}));
  out.push_back(int_field<M, A, &S::v_head_dim>("model.attention.v_head_dim", 0, kDim,
                                                {"", "mla value head size (mla: required)"}));
  out.push_back(bool_field<M, A, &S::qkv_bias>("model.attention.qkv_bias",
                                               {"", "q, k and v projections carry a bias vector (Qwen2.5)"}));
  out.push_back(enum_field<core_names, core_name, M, A, &S::core>(
      "model.attention.core",
      {"", "flash (fused kernel, no S x S in memory) or unfused (Megatron: QK^T, softmax, dropout, PV as "
           "separate kernels, S x S scores in HBM)",
       Need::kOptional, "flash"}));
}

void add_moe_fields(std::vector<Field>& out) {
  constexpr auto E = &ModelSpec::moe;
  using S = MoeSpec;
  out.push_back(int_field<M, E, &S::routed_experts>("model.moe.routed_experts", 0, 1 << 20,
                                                    {"", "routed experts per MoE layer; 0 makes a dense model"}));
  out.push_back(
      int_field<M, E, &S::shared_experts>("model.moe.shared_experts", 0, 1024, {"", "always-active experts"}));
  out.push_back(int_field<M, E, &S::expert_intermediate>("model.moe.expert_intermediate", 0, 1 << 22,
                                                         {"", "FFN inner size of one expert (MoE: required)"}));
  out.push_back(
      int_field<M, E, &S::top_k>("model.moe.top_k", 0, 4096, {"", "routed experts per token (MoE: required)"}));
  out.push_back(int_field<M, E, &S::expert_groups>("model.moe.expert_groups", 1, 1 << 16,
                                                   {"", "groups for group-limited routing (V3: 8, one per node)"}));
  out.push_back(int_field<M, E, &S::limited_groups>("model.moe.limited_groups", 1, 1 << 16,
                                                    {"", "groups one token may reach (V3: 4)"}));
  out.push_back(int_field<M, E, &S::first_dense_layers>("model.moe.first_dense_layers", 0, 1 << 20,
                                                        {"", "leading layers with a dense FFN (V3: 3)"}));
  out.push_back(int_field<M, E, &S::moe_layer_freq>("model.moe.moe_layer_freq", 1, 1024,
                                                    {"", "every n-th layer after the dense ones is MoE"}));
  out.push_back(bool_field<M, E, &S::router_bias>(
      "model.moe.router_bias", {"", "per-expert score bias of auxiliary-loss-free balancing (V3: true)"}));
}

}  // namespace

void add_model_fields(std::vector<Field>& out) {
  out.push_back(preset_field());
  using S = ModelSpec;
  out.push_back(
      text_field<M, &S::name>("model.name", {"", "label in reports", Need::kOptional, "preset's name, else custom"}));
  out.push_back(int_field<M, &S::layers>("model.layers", 1, 1 << 16, {"", "transformer layers", Need::kUnlessPreset}));
  out.push_back(int_field<M, &S::hidden>("model.hidden", 1, 1 << 20, {"", "hidden size d", Need::kUnlessPreset}));
  out.push_back(int_field<M, &S::vocab>("model.vocab", 1, 1 << 24, {"tokens", "vocabulary size", Need::kUnlessPreset}));
  out.push_back(int_field<M, &S::dense_intermediate>(
      "model.dense_intermediate", 0, 1 << 22, {"", "FFN inner size of dense layers (required if any layer is dense)"}));
  out.push_back(enum_field<mlp_names, mlp_name, M, &S::mlp>(
      "model.mlp", {"", "dense FFN: swiglu (3 matrices; Llama, DeepSeek) or gelu (2 matrices; GPT)", Need::kOptional,
                    "swiglu"}));
  out.push_back(enum_field<norm_names, norm_name, M, &S::norm>(
      "model.norm", {"", "rmsnorm (gain) or layernorm (gain and bias; GPT)", Need::kOptional, "rmsnorm"}));
  out.push_back(bool_field<M, &S::linear_bias>(
      "model.linear_bias", {"", "every attention and MLP Linear carries a bias (GPT, Megatron GPT)"}));
  out.push_back(real_field<M, &S::dropout>(
      "model.dropout", FieldKind::kReal, 0, 0.99,
      {"", "dropout probability of the attention probabilities and of the hidden states (Megatron GPT: 0.1); "
           "0 runs no dropout kernels"}));
  out.push_back(int_field<M, &S::position_embeddings>(
      "model.position_embeddings", 0, 1 << 24,
      {"", "rows of a learned absolute position table (GPT: 2048); 0: rotary embeddings"}));
  add_attention_fields(out);
  add_moe_fields(out);
  out.push_back(int_field<M, &S::mtp_depth>("model.mtp_depth", 0, 64, {"", "multi-token-prediction modules (V3: 1)"}));
  out.push_back(bool_field<M, &S::tie_embeddings>("model.tie_embeddings",
                                                  {"", "input embedding and output head share one matrix"}));
  out.push_back(text_field<M, &S::source>("model.source", {"", "where the hyper-parameters come from"}));
}

}  // namespace deepsim

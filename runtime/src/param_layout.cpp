// Parameter layout of the DeepSeek-V3-architecture model (see param_layout.h).
#include "runtime/param_layout.h"

#include <stdexcept>

namespace deepsim::runtime {
namespace {

constexpr std::size_t kAlignElems = 64;  // 256-byte FP32 alignment of every tensor (GEMM operand alignment)

std::size_t align_up(std::size_t x) { return (x + kAlignElems - 1) / kAlignElems * kAlignElems; }

}  // namespace

ShardSpec full_model_shard(const ModelConfig& m) {
  return ShardSpec{0, m.layers, true, true, 0, m.routed_experts};
}

ShardSpec pipeline_shard(const ModelConfig& m, int pp, int stage, int ep, int ep_rank) {
  const int base = m.layers / pp;
  const int extra = m.layers % pp;
  ShardSpec s;
  s.first_layer = stage * base + (stage < extra ? stage : extra);
  s.last_layer = s.first_layer + base + (stage < extra ? 1 : 0);
  s.has_embedding = stage == 0;
  s.has_head = stage == pp - 1;
  s.local_experts = m.routed_experts / ep;
  s.first_expert = ep_rank * s.local_experts;
  return s;
}

ParamLayout::ParamLayout(const ModelConfig& m, const ShardSpec& shard) : shard_(shard) {
  const long h = m.hidden;
  if (shard.has_embedding) add(ParamKind::kEmbed, -1, m.vocab, h);
  for (int l = shard.first_layer; l < shard.last_layer; ++l) add_layer(m, l, m.is_moe_layer(l));
  if (shard.has_head) {
    add(ParamKind::kFinalNorm, -1, 1, h);
    add(ParamKind::kHead, -1, m.vocab, h);
    for (int d = 0; d < m.mtp_depth; ++d) {
      const int layer = m.layers + d;
      // The MTP module reads the token embedding: on a pipeline its stage holds its own copy of it.
      if (!shard.has_embedding && find(ParamKind::kEmbed, -1) < 0) add(ParamKind::kEmbed, -1, m.vocab, h);
      add(ParamKind::kMtpENorm, layer, 1, h);
      add(ParamKind::kMtpHNorm, layer, 1, h);
      add(ParamKind::kMtpProj, layer, h, 2 * h);
      add_layer(m, layer, m.routed_experts > 0);
      add(ParamKind::kFinalNorm, layer, 1, h);
    }
  }
}

void ParamLayout::add_layer(const ModelConfig& m, int layer, bool moe) {
  const long h = m.hidden;
  const long qk = static_cast<long>(m.heads) * m.qk_head_dim();
  add(ParamKind::kAttnNorm, layer, 1, h);
  if (m.q_lora_rank > 0) {
    add(ParamKind::kWqA, layer, m.q_lora_rank, h);
    add(ParamKind::kQNorm, layer, 1, m.q_lora_rank);
    add(ParamKind::kWqB, layer, qk, m.q_lora_rank);
  } else {
    add(ParamKind::kWq, layer, qk, h);
  }
  add(ParamKind::kWkvA, layer, m.kv_lora_rank + m.qk_rope, h);
  add(ParamKind::kKvNorm, layer, 1, m.kv_lora_rank);
  add(ParamKind::kWkvB, layer, static_cast<long>(m.heads) * (m.qk_nope + m.v_dim), m.kv_lora_rank);
  add(ParamKind::kWo, layer, h, static_cast<long>(m.heads) * m.v_dim);
  add(ParamKind::kFfnNorm, layer, 1, h);
  if (!moe) {
    add(ParamKind::kW13, layer, 2L * m.dense_intermediate, h);
    add(ParamKind::kW2, layer, h, m.dense_intermediate);
    return;
  }
  const long f = m.expert_intermediate;
  add(ParamKind::kGate, layer, m.routed_experts, h);
  if (shard_.local_experts > 0) {
    add(ParamKind::kExpertW13, layer, shard_.local_experts * 2 * f, h, ParamGroup::kExpert);
    add(ParamKind::kExpertW2, layer, shard_.local_experts * h, f, ParamGroup::kExpert);
  }
  if (m.shared_experts > 0) {
    add(ParamKind::kSharedW13, layer, 2L * m.shared_experts * f, h);
    add(ParamKind::kSharedW2, layer, h, m.shared_experts * f);
  }
}

void ParamLayout::add(ParamKind kind, int layer, long rows, long cols, ParamGroup group) {
  const bool norm = kind == ParamKind::kAttnNorm || kind == ParamKind::kQNorm || kind == ParamKind::kKvNorm ||
                    kind == ParamKind::kFfnNorm || kind == ParamKind::kFinalNorm || kind == ParamKind::kMtpENorm ||
                    kind == ParamKind::kMtpHNorm;
  std::size_t& end = group_sizes_[static_cast<std::size_t>(group)];
  entries_.push_back(ParamEntry{kind, layer, group, rows, cols, end, norm});
  end = align_up(end + static_cast<std::size_t>(rows * cols));
}

int ParamLayout::find(ParamKind kind, int layer) const {
  for (std::size_t i = 0; i < entries_.size(); ++i)
    if (entries_[i].kind == kind && entries_[i].layer == layer) return static_cast<int>(i);
  return -1;
}

const ParamEntry& ParamLayout::at(ParamKind kind, int layer) const {
  const int i = find(kind, layer);
  if (i < 0)
    throw std::logic_error(std::string("ParamLayout: no tensor ") + to_string(kind) + " at layer " +
                           std::to_string(layer));
  return entries_[static_cast<std::size_t>(i)];
}

const char* to_string(ParamKind k) {
  static const char* const kNames[] = {"embed",      "attn_norm", "wq_a",     "q_norm",       "wq_b",
                                       "wq",         "wkv_a",     "kv_norm",  "wkv_b",        "wo",
                                       "ffn_norm",   "w13",       "w2",       "gate",         "expert_w13",
                                       "expert_w2",  "shared_w13", "shared_w2", "final_norm", "head",
                                       "mtp_enorm",  "mtp_hnorm", "mtp_proj"};
  static_assert(sizeof(kNames) / sizeof(kNames[0]) == static_cast<std::size_t>(ParamKind::kCount),
                "one name per ParamKind");
  return kNames[static_cast<int>(k)];
}

}  // namespace deepsim::runtime

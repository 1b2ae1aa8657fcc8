// Where every trainable tensor of the model lives in the flat parameter buffers: one entry per (kind,
// layer) with its shape and offset. The CPU reference model and the GPU model share this layout, so
// gradients, the optimiser, ZeRO-1 shards and finite-difference tests all address tensors the same way.
// Two groups: `kReplicated` (every dp rank holds a copy: ZeRO-1 reduce-scatters its gradients) and
// `kExpert` (routed-expert weights sharded over the ep ranks; replicated when ep = 1).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "runtime/config.h"

namespace deepsim::runtime {

// nn.Linear layout [out][in] for matrices; norms are vectors of ones at init.
enum class ParamKind {
  kEmbed,       // [vocab][hidden]
  kAttnNorm,    // [hidden]
  kWqA,         // [q_lora][hidden]          (q_lora > 0)
  kQNorm,       // [q_lora]
  kWqB,         // [heads*(nope+rope)][q_lora]
  kWq,          // [heads*(nope+rope)][hidden] (q_lora == 0)
  kWkvA,        // [kv_lora + rope][hidden]
  kKvNorm,      // [kv_lora]
  kWkvB,        // [heads*(nope+v)][kv_lora]
  kWo,          // [hidden][heads*v]
  kFfnNorm,     // [hidden]
  kW13,         // dense FFN [2*inter][hidden]: gate rows then up rows
  kW2,          // dense FFN [hidden][inter]
  kGate,        // router [experts][hidden], FP32 logits
  kExpertW13,   // [local_experts][2*expert_inter][hidden]
  kExpertW2,    // [local_experts][hidden][expert_inter]
  kSharedW13,   // [2*shared*expert_inter][hidden]
  kSharedW2,    // [hidden][shared*expert_inter]
  kFinalNorm,   // [hidden]  (layer = layers + d for MTP module d's own final norm)
  kHead,        // [vocab][hidden]
  kMtpENorm,    // [hidden] MTP: norm of the next token's embedding
  kMtpHNorm,    // [hidden] MTP: norm of the previous depth's hidden state
  kMtpProj,     // [hidden][2*hidden] MTP: projection of (enorm(emb) | hnorm(h))
  kCount
};

enum class ParamGroup { kReplicated = 0, kExpert = 1 };
inline constexpr int kParamGroups = 2;

struct ParamEntry {
  ParamKind kind;
  int layer;            // transformer layer (MTP module d: layers + d); -1 for embed/head/final norm
  ParamGroup group;
  long rows;            // matrices: out features (times local experts for expert weights); vectors: 1
  long cols;            // in features, or the vector length
  std::size_t offset;   // elements from the start of its group's buffer
  bool is_norm;         // initialised to ones and not weight-decayed
  [[nodiscard]] std::size_t size() const { return static_cast<std::size_t>(rows * cols); }
};

// Which part of the model a rank holds: layers [first_layer, last_layer) of its pipeline stage (embedding on
// the first stage; final norm, head and MTP on the last) and routed experts [first_expert, first_expert +
// local_experts).
struct ShardSpec {
  int first_layer = 0;
  int last_layer = 0;
  bool has_embedding = true;
  bool has_head = true;
  int first_expert = 0;
  int local_experts = 0;
};

[[nodiscard]] ShardSpec full_model_shard(const ModelConfig& m);
// Layers of stage `stage` of `pp`: as even as possible, the earlier stages take the remainder.
[[nodiscard]] ShardSpec pipeline_shard(const ModelConfig& m, int pp, int stage, int ep, int ep_rank);

class ParamLayout {
 public:
  ParamLayout(const ModelConfig& m, const ShardSpec& shard);

  [[nodiscard]] const std::vector<ParamEntry>& entries() const { return entries_; }
  // Index of (kind, layer) in entries(), or -1 when this shard does not hold it.
  [[nodiscard]] int find(ParamKind kind, int layer) const;
  [[nodiscard]] const ParamEntry& at(ParamKind kind, int layer) const;
  [[nodiscard]] std::size_t group_size(ParamGroup g) const { return group_sizes_[static_cast<std::size_t>(g)]; }
  [[nodiscard]] std::size_t total_size() const { return group_sizes_[0] + group_sizes_[1]; }
  [[nodiscard]] const ShardSpec& shard() const { return shard_; }

 private:
  void add(ParamKind kind, int layer, long rows, long cols, ParamGroup group = ParamGroup::kReplicated);
  void add_layer(const ModelConfig& m, int layer, bool moe);

  ShardSpec shard_;
  std::vector<ParamEntry> entries_;
  std::array<std::size_t, kParamGroups> group_sizes_{};
};

[[nodiscard]] const char* to_string(ParamKind k);

}  // namespace deepsim::runtime

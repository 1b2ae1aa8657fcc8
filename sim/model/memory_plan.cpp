#include "sim/model/memory_plan.h"

#include <algorithm>
#include <cstdint>
#include <tuple>

#include "sim/core/error.h"
#include "sim/model/model_memo.h"
#include "sim/model/stage_assignment.h"

namespace deepsim {
namespace {

constexpr double kBf16 = 2, kFp32 = 4;

// What one pipeline stage holds, before copies and sharding.
struct StageLoad {
  double dense = 0;       // parameters on one TP rank
  double expert = 0;      // routed-expert parameters on one GPU (routed_experts / ep per MoE layer)
  Bytes activations;      // per micro-batch
};

void check(const ModelSpec& m, const MemoryPlan& p) {
  DEEPSIM_ASSERT(p.pp >= 1 && p.dp >= 1 && p.tp >= 1 && p.ep >= 1, "MemoryPlan: degrees must be >= 1");
  DEEPSIM_ASSERT(p.zero_stage >= 0 && p.zero_stage <= 2, "MemoryPlan: zero_stage must be 0, 1 or 2");
  DEEPSIM_ASSERT(p.param_copies == 1 || p.param_copies == 2, "MemoryPlan: param_copies must be 1 or 2");
  DEEPSIM_ASSERT(p.micro_batch_size >= 1 && p.seq_len >= 1, "MemoryPlan: empty micro-batch");
  DEEPSIM_ASSERT(p.cp >= 1 && p.seq_len % p.cp == 0, "MemoryPlan: cp must divide seq_len");
  DEEPSIM_ASSERT(p.expert_tp >= 1 && (p.dp * p.tp * p.cp) % (p.ep * p.expert_tp) == 0,
                 "MemoryPlan: ep x expert_tp must divide dp x tp x cp");
  DEEPSIM_ASSERT(!m.is_moe() || m.moe.routed_experts % p.ep == 0, "MemoryPlan: ep must divide routed_experts");
}

// Per stage, before the split over EP ranks: a function of the model, pp and the micro-batch's shape
// only (not of dp, ep, ZeRO or the schedule), so memoised across a plan search.
std::vector<StageLoad> unsharded_stage_loads(const ModelSpec& m, const MemoryPlan& p) {
  using Key = std::tuple<int, std::int64_t, int, int, bool, int, bool, int, int>;
  static ModelMemo<Key, std::vector<StageLoad>> memo;
  const std::int64_t tokens = std::int64_t{p.micro_batch_size} * p.seq_len / p.cp;
  const Key key{p.pp, tokens, p.seq_len, p.tp, p.fp8, static_cast<int>(p.recompute), p.sequence_parallel, p.cp,
                p.expert_tp};
  return *memo.get(m, key, [&] {
    const OpContext c{.tokens = tokens, .seq_len = p.seq_len, .tp = p.tp,
                      .precision = p.fp8 ? Precision::kFp8 : Precision::kBf16, .causal = true,
                      .recompute = p.recompute, .sequence_parallel = p.sequence_parallel, .cp = p.cp,
                      .expert_tp = p.expert_tp};
    std::vector<StageLoad> loads;
    for (const StageLayers& s : assign_layers(m, p.pp)) {
      StageLoad load;
      for (const Op& op : stage_ops(m, s, c)) {
        (op.per_expert ? load.expert : load.dense) += static_cast<double>(op.params);
        load.activations += op.saved;
      }
      // Tied embeddings: the head's op owns no parameters (the embedding does), but on a last stage that
      // is not also the first the head needs its own copy of the matrix (V/tp x d per rank).
      if (m.tie_embeddings && s.has_head && !s.has_embedding)
        load.dense += static_cast<double>(m.vocab) / p.tp * m.hidden;
      loads.push_back(load);
    }
    return loads;
  });
}

std::vector<StageLoad> stage_loads(const ModelSpec& m, const MemoryPlan& p) {
  std::vector<StageLoad> loads = unsharded_stage_loads(m, p);
  for (StageLoad& load : loads) load.expert /= p.ep;  // the ops hold every expert of the layer; a GPU holds 1/ep of them
  return loads;
}

StageMemory stage_memory(int s, const std::vector<StageLoad>& loads, const MemoryPlan& p) {
  // DualPipe: rank s also holds stage pp-1-s (for s = pp-1-s, the same stage twice).
  const auto& a = loads[static_cast<std::size_t>(s)];
  const auto& b = loads[static_cast<std::size_t>(p.param_copies == 2 ? p.pp - 1 - s : s)];
  const double dense = p.param_copies == 2 ? a.dense + b.dense : a.dense;
  const double expert = p.param_copies == 2 ? a.expert + b.expert : a.expert;
  StageMemory mem;
  mem.stage = s;
  mem.dense_params = static_cast<std::int64_t>(dense);
  mem.expert_params = static_cast<std::int64_t>(expert);
  mem.weights = Bytes(kBf16 * (dense + expert));
  // The copies are the same parameters, so their master weights and moments are sharded over all
  // param_copies x (data-parallel) holders; without ZeRO each holder keeps its own.
  const double dense_holders = p.zero_stage >= 1 ? static_cast<double>(p.dp * p.cp) * p.param_copies : 1.0;
  const double expert_holders =
      p.zero_stage >= 1 ? static_cast<double>(p.dp * p.cp) * p.tp / (p.ep * p.expert_tp) * p.param_copies : 1.0;
  const double sharded = dense / dense_holders + expert / expert_holders;
  const double moment_bytes = p.fp8 ? 2 * kBf16 : 2 * kFp32;  // AdamW m and v: BF16 in the V3 recipe (R17)
  mem.master_weights = Bytes(kFp32 * sharded);
  mem.gradients = Bytes(kFp32 * (p.zero_stage >= 2 ? sharded : dense + expert));
  mem.optimizer_states = Bytes(moment_bytes * sharded);
  // DualPipe: rank s sits at position s of one direction and pp-1-s of the other; as in 1F1B, position q
  // holds pp - q micro-batches, so the rank's pp + 1 in flight (R16) are pp - s chunks of stage s and
  // s + 1 of stage pp-1-s. The per-micro-batch figure is their weighted mean.
  const double wa = p.pp - s, wb = s + 1;
  mem.activations_per_micro_batch =
      p.param_copies == 2 ? (a.activations * wa + b.activations * wb) / (wa + wb) : a.activations;
  mem.activations = mem.activations_per_micro_batch * p.in_flight_micro_batches;
  return mem;
}

}  // namespace

const StageMemory& MemoryEstimate::peak() const {
  DEEPSIM_ASSERT(!stages.empty(), "MemoryEstimate has no stages");
  return *std::ranges::max_element(stages, {}, [](const StageMemory& s) { return s.total(); });
}

MemoryEstimate estimate_memory(const ModelSpec& m, const MemoryPlan& p, Bytes hbm) {
  check(m, p);
  const std::vector<StageLoad> loads = stage_loads(m, p);
  MemoryEstimate est;
  est.hbm = hbm;
  for (int s = 0; s < p.pp; ++s) est.stages.push_back(stage_memory(s, loads, p));
  return est;
}

}  // namespace deepsim

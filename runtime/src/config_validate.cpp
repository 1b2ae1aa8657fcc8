// Cross-field checks of an ExecConfig: what the scenario schema allows but this executor does not run.
#include <string>

#include "runtime/config.h"

namespace deepsim::runtime {
namespace {

void check(bool ok, const ExecConfig& c, const std::string& key, const std::string& msg) {
  if (!ok) throw ConfigError(c.source_file + ": " + key + ": " + msg);
}

}  // namespace

void validate_exec_config(const ExecConfig& c) {
  const ModelConfig& m = c.model;
  const ParallelConfig& p = c.parallel;
  check(p.tp == 1, c, "parallel.tp", "the executor has no tensor parallelism (tp must be 1)");
  check(p.ep == 1 || p.ep == p.dp, c, "parallel.ep",
        "the executor supports ep = 1 (experts replicated) or ep = dp (experts sharded over the dp ranks), got ep " +
            std::to_string(p.ep) + " with dp " + std::to_string(p.dp));
  check(p.pp == 1 || p.schedule == "1f1b" || p.schedule == "gpipe", c, "parallel.schedule",
        "the executor runs 1f1b (or gpipe) pipelines, not '" + p.schedule + "'");
  check(m.layers >= p.pp, c, "parallel.pp", "every pipeline stage needs a layer");
  check(static_cast<long>(p.micro_batch_size) * p.micro_batches * p.dp == c.training.global_batch, c,
        "parallel.micro_batches",
        "micro_batch_size x micro_batches x dp must equal training.global_batch (" +
            std::to_string(c.training.global_batch) + ")");
  const bool any_dense = m.routed_experts == 0 || m.first_dense_layers > 0;
  check(!any_dense || m.dense_intermediate > 0, c, "model.dense_intermediate", "required when a layer is dense");
  check(m.qk_rope % 2 == 0, c, "model.attention.qk_rope_head_dim", "RoPE pairs need an even size");
  if (m.routed_experts > 0) {
    check(m.expert_intermediate > 0, c, "model.moe.expert_intermediate", "required for a MoE model");
    check(m.top_k >= 1 && m.top_k <= m.routed_experts, c, "model.moe.top_k", "must be 1 .. routed_experts");
    check(m.routed_experts % m.expert_groups == 0, c, "model.moe.expert_groups", "must divide routed_experts");
    check(m.limited_groups <= m.expert_groups, c, "model.moe.limited_groups", "must be <= expert_groups");
    check(m.top_k <= m.limited_groups * (m.routed_experts / m.expert_groups), c, "model.moe.top_k",
          "a token picks its experts inside the groups it may reach");
    check(m.routed_experts % p.ep == 0, c, "parallel.ep", "must divide routed_experts");
  } else {
    check(p.ep == 1, c, "parallel.ep", "a dense model has ep = 1");
  }
}

}  // namespace deepsim::runtime

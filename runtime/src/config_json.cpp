// ExecConfig -> JSON with scenario key names (see config_json.h).
#include "runtime/config_json.h"

namespace deepsim::runtime {

nlohmann::json config_to_json(const ExecConfig& c) {
  const ModelConfig& m = c.model;
  nlohmann::json model = {
      {"name", m.name},
      {"layers", m.layers},
      {"hidden", m.hidden},
      {"vocab", m.vocab},
      {"dense_intermediate", m.dense_intermediate},
      {"attention",
       {{"kind", "mla"},
        {"heads", m.heads},
        {"q_lora_rank", m.q_lora_rank},
        {"kv_lora_rank", m.kv_lora_rank},
        {"qk_nope_head_dim", m.qk_nope},
        {"qk_rope_head_dim", m.qk_rope},
        {"v_head_dim", m.v_dim}}},
      {"moe",
       {{"routed_experts", m.routed_experts},
        {"shared_experts", m.shared_experts},
        {"expert_intermediate", m.expert_intermediate},
        {"top_k", m.top_k},
        {"expert_groups", m.expert_groups},
        {"limited_groups", m.limited_groups},
        {"first_dense_layers", m.first_dense_layers},
        {"moe_layer_freq", m.moe_layer_freq},
        {"router_bias", m.router_bias}}},
      {"mtp_depth", m.mtp_depth}};
  const ParallelConfig& p = c.parallel;
  nlohmann::json parallel = {{"pp", p.pp},
                             {"dp", p.dp},
                             {"tp", p.tp},
                             {"ep", p.ep},
                             {"zero_stage", p.zero_stage},
                             {"micro_batch_size", p.micro_batch_size},
                             {"micro_batches", p.micro_batches},
                             {"schedule", p.schedule}};
  nlohmann::json training = {{"seq_len", c.training.seq_len},
                             {"global_batch", c.training.global_batch},
                             {"precision", to_string(c.training.precision)}};
  const ExecOptions& e = c.exec;
  nlohmann::json exec = {{"steps", e.steps},
                         {"seed", e.seed},
                         {"token_file", e.token_file},
                         {"synthetic_noise", e.synthetic_noise},
                         {"lr", e.lr},
                         {"warmup_steps", e.warmup_steps},
                         {"weight_decay", e.weight_decay},
                         {"init_std", e.init_std},
                         {"mtp_lambda", e.mtp_lambda},
                         {"route_scale", m.route_scale},
                         {"debug_checks", e.debug_checks},
                         {"expert_gemm", e.expert_gemm}};
  return {{"schema", 1},
          {"name", c.name},
          {"source_file", c.source_file},
          {"cluster", {{"gpu", c.gpu}, {"nodes", c.nodes}, {"gpus_per_node", c.gpus_per_node}}},
          {"model", std::move(model)},
          {"parallel", std::move(parallel)},
          {"training", std::move(training)},
          {"exec", std::move(exec)}};
}

}  // namespace deepsim::runtime

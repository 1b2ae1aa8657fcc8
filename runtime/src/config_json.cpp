// ExecConfig -> JSON with scenario key names (see config_json.h).
#include "runtime/config_json.h"

#include <yaml-cpp/yaml.h>

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

std::string scenario_yaml(const ExecConfig& c) {
  if (!c.scenario_yaml.empty()) return c.scenario_yaml;
  const ModelConfig& m = c.model;
  YAML::Emitter y;
  y << YAML::BeginMap << YAML::Key << "schema" << YAML::Value << 1 << YAML::Key << "name" << YAML::Value << c.name;
  y << YAML::Key << "cluster" << YAML::Value << YAML::BeginMap << YAML::Key << "gpu" << YAML::Value << c.gpu
    << YAML::Key << "nodes" << YAML::Value << c.nodes << YAML::Key << "gpus_per_node" << YAML::Value << c.gpus_per_node
    << YAML::Key << "nics_per_node" << YAML::Value << c.gpus_per_node << YAML::Key << "topology" << YAML::Value
    << YAML::BeginMap << YAML::Key << "kind" << YAML::Value << "mpft" << YAML::Key << "planes" << YAML::Value
    << c.gpus_per_node << YAML::EndMap << YAML::EndMap;
  y << YAML::Key << "model" << YAML::Value << YAML::BeginMap << YAML::Key << "name" << YAML::Value << m.name
    << YAML::Key << "layers" << YAML::Value << m.layers << YAML::Key << "hidden" << YAML::Value << m.hidden
    << YAML::Key << "vocab" << YAML::Value << m.vocab << YAML::Key << "dense_intermediate" << YAML::Value
    << m.dense_intermediate << YAML::Key << "mtp_depth" << YAML::Value << m.mtp_depth;
  y << YAML::Key << "attention" << YAML::Value << YAML::BeginMap << YAML::Key << "kind" << YAML::Value << "mla"
    << YAML::Key << "heads" << YAML::Value << m.heads << YAML::Key << "q_lora_rank" << YAML::Value << m.q_lora_rank
    << YAML::Key << "kv_lora_rank" << YAML::Value << m.kv_lora_rank << YAML::Key << "qk_nope_head_dim" << YAML::Value
    << m.qk_nope << YAML::Key << "qk_rope_head_dim" << YAML::Value << m.qk_rope << YAML::Key << "v_head_dim"
    << YAML::Value << m.v_dim << YAML::EndMap;
  y << YAML::Key << "moe" << YAML::Value << YAML::BeginMap << YAML::Key << "routed_experts" << YAML::Value
    << m.routed_experts << YAML::Key << "shared_experts" << YAML::Value << m.shared_experts << YAML::Key
    << "expert_intermediate" << YAML::Value << m.expert_intermediate << YAML::Key << "top_k" << YAML::Value << m.top_k
    << YAML::Key << "expert_groups" << YAML::Value << m.expert_groups << YAML::Key << "limited_groups" << YAML::Value
    << m.limited_groups << YAML::Key << "first_dense_layers" << YAML::Value << m.first_dense_layers << YAML::Key
    << "router_bias" << YAML::Value << m.router_bias << YAML::EndMap << YAML::EndMap;
  const ParallelConfig& p = c.parallel;
  y << YAML::Key << "parallel" << YAML::Value << YAML::BeginMap << YAML::Key << "pp" << YAML::Value << p.pp
    << YAML::Key << "dp" << YAML::Value << p.dp << YAML::Key << "ep" << YAML::Value << p.ep << YAML::Key
    << "micro_batch_size" << YAML::Value << p.micro_batch_size << YAML::Key << "micro_batches" << YAML::Value
    << p.micro_batches << YAML::Key << "schedule" << YAML::Value << p.schedule << YAML::EndMap;
  y << YAML::Key << "training" << YAML::Value << YAML::BeginMap << YAML::Key << "tokens" << YAML::Value
    << c.tokens_per_step() * c.exec.steps << YAML::Key << "seq_len" << YAML::Value << c.training.seq_len << YAML::Key
    << "global_batch" << YAML::Value << c.training.global_batch << YAML::Key << "precision" << YAML::Value
    << to_string(c.training.precision) << YAML::EndMap << YAML::EndMap;
  return std::string(y.c_str()) + "\n";
}

}  // namespace deepsim::runtime

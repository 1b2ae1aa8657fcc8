#include "sim/cli/json_output.h"

#include "sim/model/flops_per_token.h"
#include "sim/model/kv_cache.h"
#include "sim/model/param_count.h"
#include "sim/parallel/parallel_spec.h"

namespace deepsim::cli {

nlohmann::ordered_json validate_json(const std::string& path, const Scenario& s) {
  nlohmann::ordered_json j;
  j["file"] = path;
  j["ok"] = true;
  j["scenario"] = s.name;
  j["model"] = s.model.name;
  j["gpu"] = s.cluster.gpu.name;
  j["gpus"] = s.cluster.total_gpus();
  j["nodes"] = s.cluster.nodes;
  j["topology"] = to_string(s.cluster.topology.kind);
  j["parallel"] = {{"pp", s.parallel.pp}, {"dp", s.parallel.dp}, {"tp", s.parallel.tp}, {"cp", s.parallel.cp}, {"ep", s.parallel.ep},
                   {"schedule", to_string(s.parallel.schedule)}, {"micro_batches", s.parallel.micro_batches},
                   {"micro_batch_size", s.parallel.micro_batch_size}};
  return j;
}

nlohmann::ordered_json input_error_json(const std::string& path, const InputError& e) {
  nlohmann::ordered_json j;
  j["file"] = path;
  j["ok"] = false;
  j["error"] = {{"file", e.pos().file}, {"line", e.pos().line}, {"column", e.pos().column}, {"key", e.key()},
                {"message", e.message()}, {"hint", e.hint()}, {"text", e.what()}};
  return j;
}

nlohmann::ordered_json model_json(const ModelSpec& m, int seq_len) {
  const ParamCount p = count_params(m);
  nlohmann::ordered_json j;
  j["model"] = m.name;
  j["source"] = m.source;
  j["parameters"] = {{"embedding", p.embedding},         {"attention", p.attention},
                     {"dense_ffn", p.dense_ffn},         {"routed_experts", p.routed_experts},
                     {"shared_experts", p.shared_experts}, {"router", p.router},
                     {"norms", p.norms},                 {"output_head", p.output_head},
                     {"total", p.total()},               {"mtp", p.mtp},
                     {"total_with_mtp", p.total_with_mtp()}, {"activated_per_token", p.activated}};
  const FlopsPerToken causal = flops_per_token(m, seq_len, true);
  const FlopsPerToken full = flops_per_token(m, seq_len, false);
  j["seq_len"] = seq_len;
  j["training_flops_per_token"] = {{"causal", causal.training().value()},
                                   {"causal_with_mtp", causal.training_with_mtp().value()},
                                   {"non_causal", full.training().value()},
                                   {"non_causal_with_mtp", full.training_with_mtp().value()}};
  j["kv_cache_bytes_per_token_bf16"] = kv_cache_bytes_per_token(m).value();
  return j;
}

nlohmann::ordered_json topology_json(const Topology& t) {
  const TopologyCounts& c = t.counts;
  nlohmann::ordered_json j;
  j["topology"] = to_string(t.cluster.topology.kind);
  j["nodes"] = c.nodes;
  j["gpus_per_node"] = t.cluster.gpus_per_node;
  j["gpus"] = c.gpus;
  j["gpu"] = t.cluster.gpu.name;
  j["nics"] = c.nics;
  j["nic"] = t.cluster.nic.name;
  j["planes"] = c.planes;
  j["switch_radix"] = t.cluster.topology.switch_radix;
  j["switches"] = {{"leaf", c.leaf}, {"spine", c.spine}, {"core", c.core}, {"total", c.switches()},
                   {"ports_used", c.switch_ports_used}};
  j["nvswitch_domains"] = c.nvswitches;
  nlohmann::ordered_json conn = nlohmann::ordered_json::object();
  for (int k = 0; k < kLinkClassCount; ++k)
    conn[to_string(static_cast<LinkClass>(k))] = c.connections[static_cast<std::size_t>(k)];
  j["connections"] = conn;
  j["optical_cables"] = c.optical_cables;
  j["optical_transceivers"] = c.optical_transceivers;
  j["directed_links"] = t.links.size();
  j["bisection_bytes_per_s"] = t.bisection_bandwidth().bytes_per_s();
  return j;
}

nlohmann::ordered_json net_bench_json(const NetBenchTable& t) {
  nlohmann::ordered_json j;
  j["collective"] = t.collective;
  j["gpus"] = t.gpus;
  j["nodes"] = t.nodes;
  j["protocol"] = t.protocol;
  j["rows"] = nlohmann::ordered_json::array();
  const bool ep = t.collective == "dispatch" || t.collective == "combine";
  for (const NetBenchRow& r : t.rows) {
    nlohmann::ordered_json row;
    row["bytes"] = r.bytes;
    row["count"] = r.count;
    row["type"] = r.type;
    row["redop"] = r.redop;
    row["time_s"] = r.result.time.seconds();
    row["algbw_gb_per_s"] = r.result.algbw_gbps;
    row["busbw_gb_per_s"] = r.result.busbw_gbps;
    row["flows"] = r.result.flows;
    if (r.result.protocol_applied) {
      row["algorithm"] = to_string(r.result.algorithm);
      row["protocol"] = to_string(r.result.protocol);
      row["protocol_latency_s"] = r.result.protocol_latency.seconds();
      row["bandwidth_time_s"] = r.result.bandwidth_time.seconds();
    }
    if (ep) {
      row["ib_gb_per_s_per_gpu"] = r.result.ib_gbps_per_gpu;
      row["nvlink_gb_per_s_per_gpu"] = r.result.nvlink_gbps_per_gpu;
      row["deepep_rdma_gb_per_s"] = r.result.deepep_rdma_gbps;
    }
    j["rows"].push_back(std::move(row));
  }
  j["avg_busbw_gb_per_s"] = t.avg_busbw_gbps();
  return j;
}

}  // namespace deepsim::cli

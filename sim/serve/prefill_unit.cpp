#include "sim/serve/prefill_unit.h"

#include <algorithm>
#include <cmath>

#include "sim/core/error.h"
#include "sim/model/kv_cache.h"
#include "sim/serve/deepep_timing.h"
#include "sim/serve/serving_ops.h"
#include "sim/step/op_timing.h"

namespace deepsim {
namespace {

struct Batch {
  OverlapRun run;
  LayerStageTimes moe, dense;
};

Batch run_batch(const ServeContext& c, double prefix_tokens, double new_tokens) {
  const ModelSpec& m = c.model;
  const PrefillUnitSpec& p = c.serving.prefill;
  const KernelModel& km = *c.kernels;
  const int sms = std::max(1, c.gpu.sms - p.comm_sms);  // the normal kernels hold comm_sms SMs throughout
  const auto tokens_mb = static_cast<std::int64_t>(std::ceil(static_cast<double>(p.tokens_per_gpu) / p.micro_batches));
  const PrefillAttentionShape shape{.tokens = tokens_mb * p.attention_tp, .prefix_tokens = prefix_tokens,
                                    .new_tokens = new_tokens, .tp = p.attention_tp};
  Time attention = pass_time(prefill_attention_ops(m, shape), Pass::kForward, km, sms);
  if (p.attention_tp > 1) {
    const double bytes = 2.0 * static_cast<double>(tokens_mb * p.attention_tp) * m.hidden;
    attention += Time::from_seconds_ceil(2.0 * (p.attention_tp - 1) / p.attention_tp * bytes /
                                         (c.gpu.nvlink_per_direction.bytes_per_s() * c.gpu.nvlink_achievable));
  }
  EpCommInput in;
  in.tokens = static_cast<double>(tokens_mb);
  in.hidden = m.hidden;
  in.top_k = std::max(1, m.moe.top_k);
  in.ep = p.ep;
  in.gpus_per_node = c.gpus_per_node;
  in.nvlink_domain = c.gpu.nvlink_domain;
  in.expert_groups = std::max(1, m.moe.expert_groups);
  in.limited_groups = std::max(1, m.moe.limited_groups);
  in.nic = c.nic.line_rate;
  in.nic_achievable = c.nic.achievable;
  in.nvlink = c.gpu.nvlink_per_direction;
  in.nvlink_achievable = c.gpu.nvlink_achievable;
  in.latency = c.nic.latency_cross_leaf;
  const EpCommTime comm = deepep_normal_time(in);
  const int slots = m.is_moe() ? m.moe.routed_experts + p.redundant_experts : 1;
  Batch b;
  std::vector<LayerStageTimes> layers;
  for (int l = 0; l < m.layers; ++l) {
    LayerStageTimes s;
    s.moe = m.is_moe_layer(l);
    s.attention = attention;
    s.experts = pass_time(ffn_ops(m, l, tokens_mb, s.moe ? p.ep : 1, slots), Pass::kForward, km, sms);
    if (s.moe) {
      s.dispatch = comm.dispatch;
      s.combine = comm.combine;
      b.moe = s;
    } else {
      b.dense = s;
    }
    layers.push_back(s);
  }
  // The head runs on each request's last prompt token only (the first output token).
  const auto last_tokens = static_cast<std::int64_t>(std::max(1.0, std::ceil(static_cast<double>(tokens_mb) / new_tokens)));
  const Time head = pass_time(serving_head_ops(m, last_tokens), Pass::kForward, km, sms);
  b.run = run_overlap_step({.layers = std::move(layers), .micro_batches = p.micro_batches, .before = Time::zero(), .after = head});
  return b;
}

}  // namespace

PrefillResult prefill_unit(const ServeContext& c, OverlapRun* graph) {
  const WorkloadStats& w = c.work;
  const double hit = w.cache_hit_ratio;
  const double new_tokens = std::max(1.0, w.input_tokens_mean * (1 - hit));
  const double prefix = w.input_tokens_mean * hit;
  PrefillResult r;
  Batch with = run_batch(c, prefix, new_tokens);
  r.moe_layer = with.moe;
  r.dense_layer = with.dense;
  r.batch = with.run.step;
  r.compute_busy = with.run.compute_busy;
  r.comm_busy = with.run.comm_busy;
  r.batch_without_prefix = prefix > 0 ? run_batch(c, 0, new_tokens).run.step : r.batch;
  const double miss_tokens = c.serving.prefill.tokens_per_gpu;
  // The batch's cache-hit tokens: prefix / new of them per new token. Their KV (the decode format) comes
  // from storage through the node's storage NIC, shared by the node's GPUs.
  const double hit_tokens = miss_tokens * prefix / new_tokens;
  const double kv_bytes = kv_cache_bytes_per_token(c.model).value();  // BF16 latent as the cache stores it
  r.kv_read = Time::from_seconds_ceil(hit_tokens * kv_bytes * c.gpus_per_node / (c.serving.storage_gbps_per_node * 1e9));
  const Time pace = std::max(r.batch, r.kv_read);
  r.storage_bound = r.kv_read > r.batch;
  r.miss_tokens_per_s_gpu = miss_tokens / pace.seconds();
  r.input_tokens_per_s_node = r.miss_tokens_per_s_gpu * c.gpus_per_node / std::max(1e-12, 1 - hit);
  r.kv_transfer = Time::from_seconds_ceil(w.input_tokens_mean * kv_bytes / (c.nic.line_rate.bytes_per_s() * c.nic.achievable));
  if (graph) *graph = std::move(with.run);
  return r;
}

}  // namespace deepsim

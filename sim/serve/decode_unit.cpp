#include "sim/serve/decode_unit.h"

#include <algorithm>
#include <cmath>

#include "sim/core/error.h"
#include "sim/model/kv_cache.h"
#include "sim/model/layer_ops.h"
#include "sim/model/param_count.h"
#include "sim/serve/deepep_timing.h"
#include "sim/serve/serving_ops.h"
#include "sim/step/op_timing.h"

namespace deepsim {
namespace {

constexpr double kFp8Bytes = 1, kBf16Bytes = 2;

int slots_of(const ModelSpec& m, int redundant) { return m.moe.routed_experts + redundant; }

// KV bytes of one token in one layer. FP8 as FlashMLA stores it: the latent in FP8 with one FP32 scale
// per 128 channels, the RoPE key in BF16 (V3: 512 + 16 + 128 = 656 B); GQA: K and V in FP8 with scales.
double kv_bytes_per_token_layer(const ModelSpec& m, KvDtype dtype) {
  const double bf16 = kv_cache_bytes_per_token(m).value() / m.layers;
  if (dtype == KvDtype::kBf16) return bf16;
  const AttentionSpec& a = m.attention;
  if (a.kind == AttentionKind::kMla)
    return a.kv_lora_rank * kFp8Bytes + a.kv_lora_rank / 128.0 * 4 + a.qk_rope_head_dim * kBf16Bytes;
  const double elems = bf16 / kBf16Bytes;
  return elems * kFp8Bytes + elems / 128.0 * 4;
}

EpCommInput ll_input(const ServeContext& c, const DecodeUnitSpec& d, double tokens) {
  EpCommInput in;
  in.tokens = tokens;
  in.hidden = c.model.hidden;
  in.top_k = c.model.moe.top_k;
  in.ep = d.ep;
  in.gpus_per_node = c.gpus_per_node;
  in.nvlink_domain = c.gpu.nvlink_domain;
  in.use_nvlink = d.ll_use_nvlink;
  in.nic = c.nic.line_rate;
  in.nic_achievable = c.nic.achievable;
  in.nvlink = c.gpu.nvlink_per_direction;
  in.nvlink_achievable = c.gpu.nvlink_achievable;
  in.latency = c.nic.latency_cross_leaf;
  return in;
}

// Ring all-reduce of the attention output inside a TP group over NVLink: 2 (t-1)/t x bytes.
Time tp_allreduce(const ServeContext& c, int tp, double bytes) {
  if (tp <= 1) return Time::zero();
  const double bw = c.gpu.nvlink_per_direction.bytes_per_s() * c.gpu.nvlink_achievable;
  return Time::from_seconds_ceil(2.0 * (tp - 1) / tp * bytes / bw);
}

}  // namespace

DecodeMemory decode_memory(const ServeContext& c, int ep) {
  const ModelSpec& m = c.model;
  const DecodeUnitSpec& d = c.serving.decode;
  const ParamCount p = count_params(m);
  DecodeMemory mem;
  mem.hbm = c.gpu.hbm;
  // FP8 for every linear layer (the published V3 checkpoint), BF16 for embedding, head, router, norms.
  double bytes = static_cast<double>(p.attention) / d.attention_tp * kFp8Bytes +
                 static_cast<double>(p.dense_ffn + p.shared_experts) * kFp8Bytes +
                 static_cast<double>(p.router + p.norms + p.embedding + p.output_head) * kBf16Bytes;
  if (m.is_moe()) {
    const double share = static_cast<double>(slots_of(m, d.redundant_experts)) / ep / m.moe.routed_experts;
    bytes += static_cast<double>(p.routed_experts) * share * kFp8Bytes;
    if (d.mtp && m.mtp_depth > 0) {
      // The MTP module's layer holds its experts like a main MoE layer: this GPU keeps its slots' share.
      const double routed = static_cast<double>(expert_params(m)) * m.moe.routed_experts * m.mtp_depth;
      bytes += (static_cast<double>(p.mtp) - routed + routed * share) * kFp8Bytes;
    }
  } else if (d.mtp) {
    bytes += static_cast<double>(p.mtp) * kFp8Bytes;
  }
  mem.weights = Bytes(bytes);
  mem.reserve = Bytes(d.hbm_reserve_gb * 1e9);
  mem.kv_capacity = Bytes(std::max(0.0, mem.hbm.value() - mem.weights.value() - mem.reserve.value()));
  mem.kv_per_token = Bytes(kv_bytes_per_token_layer(m, d.kv_dtype) * m.layers);
  mem.kv_tokens_capacity = mem.kv_capacity.value() / mem.kv_per_token.value();
  // TP ranks of one DP group each hold the whole latent cache of the group's requests.
  mem.max_requests = mem.kv_tokens_capacity / c.work.kv_tokens_per_output_token / d.attention_tp;
  return mem;
}

DecodeResult evaluate_decode(const ServeContext& c, const DecodeUnitSpec& d, OverlapRun* graph) {
  DEEPSIM_ASSERT(d.batch_per_gpu > 0 && d.micro_batches >= 1, "decode batch");
  const ModelSpec& m = c.model;
  const KernelModel& km = *c.kernels;
  DecodeResult r;
  r.ep = d.ep;
  r.batch_per_gpu = d.batch_per_gpu;
  const bool mtp = d.mtp && m.mtp_depth > 0;
  r.query_tokens = mtp ? 2 : 1;
  r.accepted_per_step = mtp ? 1.0 + d.mtp_acceptance : 1.0;
  r.memory = decode_memory(c, d.ep);
  r.fits_kv = d.batch_per_gpu <= r.memory.max_requests;
  const double requests_mb = static_cast<double>(d.batch_per_gpu) / d.micro_batches;
  const auto tokens_mb = static_cast<std::int64_t>(std::ceil(requests_mb * r.query_tokens));
  const DecodeAttentionShape shape{.requests = static_cast<std::int64_t>(std::ceil(requests_mb)) * d.attention_tp,
                                   .query_tokens = r.query_tokens,
                                   .kv_tokens = c.work.kv_tokens_per_output_token,
                                   .kv_bytes_per_token_layer = r.memory.kv_per_token.value() / m.layers,
                                   .tp = d.attention_tp};
  const int sms = c.gpu.sms;  // the low-latency kernels hold no SMs
  const Time attention = pass_time(decode_attention_ops(m, shape), Pass::kForward, km, sms) +
                         tp_allreduce(c, d.attention_tp, 2.0 * static_cast<double>(tokens_mb * d.attention_tp) * m.hidden);
  const int slots = m.is_moe() ? slots_of(m, d.redundant_experts) : 1;
  const EpCommTime comm = deepep_low_latency_time(ll_input(c, d, static_cast<double>(tokens_mb)));
  std::vector<LayerStageTimes> layers;
  for (int l = 0; l < m.layers + (mtp ? m.mtp_depth : 0); ++l) {
    const int kind_layer = std::min(l, m.layers);  // MTP layers are the kind of layer after the last
    LayerStageTimes s;
    s.moe = m.is_moe_layer(kind_layer);
    s.attention = attention;
    s.experts = pass_time(ffn_ops(m, kind_layer, tokens_mb, s.moe ? d.ep : 1, s.moe ? slots : 1), Pass::kForward, km, sms);
    if (s.moe) {
      s.dispatch = comm.dispatch;
      s.combine = comm.combine;
      r.moe_layer = s;
      r.ep_bound_step += (comm.dispatch + comm.combine) * d.micro_batches;
    } else {
      r.dense_layer = s;
    }
    layers.push_back(s);
  }
  r.head = pass_time(serving_head_ops(m, tokens_mb), Pass::kForward, km, sms);
  if (mtp) {
    const OpContext mc{.tokens = tokens_mb, .seq_len = 1, .tp = 1, .precision = Precision::kFp8, .causal = true, .recompute = RecomputeMode::kNone};
    r.head = r.head * 2 + pass_time(mtp_input_ops(m, mc), Pass::kForward, km, sms);  // draft head + eh_proj
  }
  OverlapStep step{.layers = std::move(layers), .micro_batches = d.micro_batches, .before = Time::zero(), .after = r.head};
  OverlapRun run = run_overlap_step(step);
  r.step = run.step;
  r.compute_busy = run.compute_busy;
  r.comm_busy = run.comm_busy;
  r.tpot = Time::from_seconds(r.step.seconds() / r.accepted_per_step);
  r.ep_bound_tpot = Time::from_seconds(r.ep_bound_step.seconds() / r.accepted_per_step);
  r.output_tokens_per_s_gpu = d.batch_per_gpu * r.accepted_per_step / r.step.seconds();
  r.output_tokens_per_s_node = r.output_tokens_per_s_gpu * c.gpus_per_node;
  r.meets_tpot = r.tpot.seconds() * 1e3 <= c.serving.slo.tpot_ms;
  if (graph) *graph = std::move(run);
  return r;
}

DecodeResult decode_unit(const ServeContext& c, const DecodeUnitSpec& d, OverlapRun* graph) {
  if (d.batch_per_gpu > 0) return evaluate_decode(c, d, graph);
  // TPOT grows with the batch: bisect over even batches up to what the KV cache holds.
  DecodeUnitSpec probe = d;
  const DecodeMemory mem = decode_memory(c, d.ep);
  int hi = std::max(2, static_cast<int>(std::floor(mem.max_requests / 2)) * 2);
  hi = std::min(hi, 1 << 14);
  int lo = 2;
  auto ok = [&](int b) {
    probe.batch_per_gpu = b;
    const DecodeResult r = evaluate_decode(c, probe);
    return r.meets_tpot && r.fits_kv;
  };
  if (!ok(lo)) {
    probe.batch_per_gpu = lo;
    return evaluate_decode(c, probe, graph);  // even the smallest batch misses: report it as it is
  }
  while (hi - lo > 2) {
    const int mid = (lo + hi) / 4 * 2;
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  if (ok(hi)) lo = hi;
  probe.batch_per_gpu = lo;
  return evaluate_decode(c, probe, graph);
}

}  // namespace deepsim

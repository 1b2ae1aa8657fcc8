#include "sim/serve/serve_run.h"

#include <cmath>

#include "sim/core/error.h"
#include "sim/core/format.h"
#include "sim/hw/catalog.h"
#include "sim/serve/serving_checks.h"

namespace deepsim {
namespace {

std::string text(double v, int digits) { return fixed(v, digits); }

WhatIfRow row(const ServeContext& c, const DecodeUnitSpec& d, std::string axis, std::string value, std::string note = {}) {
  WhatIfRow r;
  r.axis = std::move(axis);
  r.value = std::move(value);
  r.note = std::move(note);
  const DecodeMemory mem = decode_memory(c, d.ep);
  if (mem.kv_capacity.value() <= 0) {
    r.runs = false;
    r.note = "weights (" + format_bytes(mem.weights) + ") leave no HBM for the KV cache";
    return r;
  }
  r.decode = decode_unit(c, d);
  if (!r.decode.fits_kv) {
    r.runs = false;
    r.note = std::to_string(r.decode.batch_per_gpu) + " requests need more KV than the " +
             text(r.decode.memory.max_requests, 0) + " the cache holds";
    return r;
  }
  r.decode_nodes_load = c.work.output_tokens_per_s() / r.decode.output_tokens_per_s_node;
  r.usd_per_m_output = r.decode.step.seconds() / (r.decode.batch_per_gpu * r.decode.accepted_per_step) *
                       c.usd_per_gpu_hour / 3600 * 1e6;
  return r;
}

std::vector<WhatIfRow> what_if(const ServeContext& c) {
  std::vector<WhatIfRow> rows;
  const DecodeUnitSpec base = c.serving.decode;
  const ModelSpec& m = c.model;
  const int slots = m.is_moe() ? m.moe.routed_experts + base.redundant_experts : 1;
  for (const int ep : {32, 72, 96, 144, 288}) {
    if (slots % ep != 0 || ep % c.gpus_per_node != 0) continue;
    DecodeUnitSpec d = base;
    d.ep = ep;
    rows.push_back(row(c, d, "decode EP", std::to_string(ep), std::to_string(slots / ep) + " expert slots per GPU"));
  }
  for (const int b : {32, 64, 128, 256}) {
    DecodeUnitSpec d = base;
    d.batch_per_gpu = b;
    rows.push_back(row(c, d, "batch per GPU", std::to_string(b)));
  }
  for (const char* name : {"H800", "H20", "H200", "B200", "GB200"}) {
    const GpuSpec g = find_gpu(name).value();
    DecodeUnitSpec d = base;
    std::string note = "roofline kernel model";
    if (g.nvlink_domain > c.gpus_per_node) {
      // One NVL72 domain: the unit fits in it when its slots divide over the domain's GPUs.
      if (slots % g.nvlink_domain == 0) d.ep = g.nvlink_domain;
      d.ll_use_nvlink = true;
      note += "; EP" + std::to_string(d.ep) + " with dispatch/combine over NVLink inside the " +
              std::to_string(g.nvlink_domain) + "-GPU domain";
    }
    rows.push_back(row(with_gpu(c, g), d, "GPU", name, note));
  }
  for (const double a : {0.0, 0.7, 0.8, 0.9}) {
    DecodeUnitSpec d = base;
    d.mtp = a > 0 && m.mtp_depth > 0;
    d.mtp_acceptance = a;
    rows.push_back(row(c, d, "MTP acceptance", a > 0 ? text(a, 2) : "off"));
  }
  return rows;
}

void check_fits(const Scenario& s, const DecodeResult& d, const WorkloadStats& w) {
  const DecodeMemory& mem = d.memory;
  if (mem.kv_capacity.value() <= 0)
    throw InputError(s.pos_of("serving.decode.ep"), "serving.decode.ep",
                     "this GPU's weights (" + format_bytes(mem.weights) + ") and the reserve (" + format_bytes(mem.reserve) +
                         ") leave no room for a KV cache in " + format_bytes(mem.hbm) + " of HBM",
                     "spread the experts over more GPUs (a larger ep), or lower serving.decode.hbm_reserve_gb");
  if (!d.fits_kv)
    throw InputError(s.pos_of("serving.decode.batch_per_gpu"), "serving.decode.batch_per_gpu",
                     "batch_per_gpu = " + std::to_string(d.batch_per_gpu) + " requests at a mean KV length of " +
                         text(w.kv_tokens_per_output_token, 0) + " tokens need more than the " + format_bytes(mem.kv_capacity) + " of KV cache: it holds " +
                         text(mem.max_requests, 1) + " requests at the mean KV length",
                     "lower batch_per_gpu (0 picks the largest that fits and meets the TPOT SLO), or use kv_dtype: fp8");
}

}  // namespace

SpeedLimit isca_speed_limit(Bandwidth bw) {
  SpeedLimitInput in;
  in.bandwidth = bw;
  return ep_speed_limit(in);
}

ServeResult run_serve(const Scenario& s) {
  require_serving_section(s);
  check_serving(s);
  ServeResult r;
  r.work = workload_stats(s);
  const ServeContext c = make_serve_context(s, r.work);
  r.kernel_model = c.kernels->describe();
  r.prefill = prefill_unit(c);
  r.decode = decode_unit(c, s.serving.decode, &r.decode_graph);
  check_fits(s, r.decode, r.work);
  r.sizing = size_deployment(c, r.prefill, r.decode);
  r.paper_cx7 = isca_speed_limit(Bandwidth::gb_per_s(50));
  r.paper_nvl72 = isca_speed_limit(Bandwidth::gb_per_s(900));
  if (s.serving.what_if) r.what_if = what_if(c);
  r.notes.push_back("requests are balanced over DP ranks and tokens over experts (EPLB's goal); imbalance is not modelled");
  r.notes.push_back("DeepEP timing is a byte model (sim/serve/deepep_timing.h; low-latency over RDMA: sim/net/deepep_kernels.h), not a packet-level model");
  if (!r.decode.meets_tpot)
    r.notes.push_back("decode misses the TPOT SLO: " + text(r.decode.tpot.seconds() * 1e3, 1) + " ms > " +
                      text(s.serving.slo.tpot_ms, 1) + " ms");
  if (!r.sizing.meets_ttft)
    r.notes.push_back("prefill misses the TTFT SLO: " + text(r.sizing.ttft.seconds(), 2) + " s > " +
                      text(s.serving.slo.ttft_s, 2) + " s");
  if (r.prefill.storage_bound) r.notes.push_back("prefill is bound by reading cached KV from storage, not by compute");
  return r;
}

}  // namespace deepsim

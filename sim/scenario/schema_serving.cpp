// Schema rows for the `serving:` section (sim/scenario/serving_spec.h; docs/serving.md): the workload
// and SLOs, the prefill and decode units, token prices. Cross-field checks that need the model (EP
// dividing the expert slots, KV capacity) are sim/serve/serving_checks.h, run by `deepsim serve`.
#include "sim/scenario/schema_builders.h"
#include "sim/scenario/serving_spec.h"

namespace deepsim {

const char* to_string(LengthDistribution d) {
  switch (d) {
    case LengthDistribution::kFixed: return "fixed";
    case LengthDistribution::kExponential: return "exponential";
    case LengthDistribution::kLognormal: return "lognormal";
  }
  return "?";
}
std::vector<std::string> length_distribution_names() { return {"fixed", "exponential", "lognormal"}; }

const char* to_string(KvDtype d) { return d == KvDtype::kFp8 ? "fp8" : "bf16"; }
std::vector<std::string> kv_dtype_names() { return {"fp8", "bf16"}; }

namespace {

using namespace schema_detail;
constexpr auto kS = &Scenario::serving;
using W = ServingWorkload;
using P = PrefillUnitSpec;
using D = DecodeUnitSpec;
constexpr double kMaxGpus = 1 << 20;

const char* dist_name(LengthDistribution d) { return to_string(d); }
const char* kv_name(KvDtype d) { return to_string(d); }

void add_workload(std::vector<Field>& out) {
  constexpr auto kW = &ServingSpec::workload;
  out.push_back(real_field<kS, kW, &W::request_rate_per_s>(
      "serving.workload.request_rate_per_s", FieldKind::kReal, 0, 1e9,
      {"requests/s", "mean Poisson arrival rate; 0: the rate of trace_path"}));
  out.push_back(text_field<kS, kW, &W::trace_path>(
      "serving.workload.trace_path",
      {"", "CSV of requests: arrival_s,input_tokens,output_tokens (relative to the scenario file); replaces the "
           "rate and the length distributions"}));
  out.push_back(enum_field<length_distribution_names, dist_name, kS, kW, &W::distribution>(
      "serving.workload.distribution", {"", "request lengths around their means: fixed, exponential, lognormal"}));
  out.push_back(real_field<kS, kW, &W::input_tokens_mean>("serving.workload.input_tokens_mean", FieldKind::kReal, 1,
                                                          1 << 24, {"tokens", "mean prompt length"}));
  out.push_back(real_field<kS, kW, &W::input_tokens_cv>("serving.workload.input_tokens_cv", FieldKind::kReal, 0, 10,
                                                        {"", "prompt length stddev / mean (lognormal)"}));
  out.push_back(real_field<kS, kW, &W::output_tokens_mean>("serving.workload.output_tokens_mean", FieldKind::kReal, 1,
                                                           1 << 24, {"tokens", "mean output length"}));
  out.push_back(real_field<kS, kW, &W::output_tokens_cv>("serving.workload.output_tokens_cv", FieldKind::kReal, 0, 10,
                                                         {"", "output length stddev / mean (lognormal)"}));
  out.push_back(real_field<kS, kW, &W::cache_hit_ratio>(
      "serving.workload.cache_hit_ratio", FieldKind::kReal, 0, 1,
      {"", "share of input tokens whose KV is read from the on-disk cache instead of prefilled (day 6: 0.563)"}));
  out.push_back(int_field<kS, kW, &W::sample_requests>(
      "serving.workload.sample_requests", 16, 1 << 22,
      {"requests", "requests drawn (seeded) to estimate the length statistics"}));
  out.push_back(real_field<kS, &ServingSpec::slo, &ServingSlo::ttft_s>(
      "serving.slo.ttft_s", FieldKind::kReal, 1e-3, 1e5, {"s", "time-to-first-token objective"}));
  out.push_back(real_field<kS, &ServingSpec::slo, &ServingSlo::tpot_ms>(
      "serving.slo.tpot_ms", FieldKind::kReal, 1e-3, 1e6, {"ms", "time-per-output-token objective"}));
}

void add_units(std::vector<Field>& out) {
  constexpr auto kP = &ServingSpec::prefill;
  out.push_back(int_field<kS, kP, &P::ep>("serving.prefill.ep", 1, kMaxGpus,
                                          {"GPUs", "GPUs of one prefill unit; routed experts spread over them"}));
  out.push_back(int_field<kS, kP, &P::attention_tp>("serving.prefill.attention_tp", 1, 64,
                                                    {"", "attention tensor parallelism inside a DP group"}));
  out.push_back(int_field<kS, kP, &P::redundant_experts>("serving.prefill.redundant_experts", 0, 1 << 16,
                                                         {"experts", "extra expert slots per MoE layer (EPLB)"}));
  out.push_back(int_field<kS, kP, &P::tokens_per_gpu>("serving.prefill.tokens_per_gpu", 1, 1 << 22,
                                                      {"tokens", "prompt tokens computed per GPU per batch"}));
  out.push_back(int_field<kS, kP, &P::micro_batches>(
      "serving.prefill.micro_batches", 1, 2, {"", "2: two micro-batches overlap compute and dispatch/combine"}));
  out.push_back(int_field<kS, kP, &P::comm_sms>("serving.prefill.comm_sms", 0, 1024,
                                                {"SMs", "SMs the DeepEP normal kernels hold"}));

  constexpr auto kD = &ServingSpec::decode;
  out.push_back(int_field<kS, kD, &D::ep>("serving.decode.ep", 1, kMaxGpus, {"GPUs", "GPUs of one decode unit"}));
  out.push_back(int_field<kS, kD, &D::attention_tp>("serving.decode.attention_tp", 1, 64,
                                                    {"", "attention tensor parallelism inside a DP group"}));
  out.push_back(int_field<kS, kD, &D::redundant_experts>("serving.decode.redundant_experts", 0, 1 << 16,
                                                         {"experts", "extra expert slots per MoE layer (EPLB)"}));
  out.push_back(int_field<kS, kD, &D::batch_per_gpu>(
      "serving.decode.batch_per_gpu", 0, 1 << 16,
      {"requests", "concurrent requests per GPU; 0: the largest that meets the TPOT SLO and fits the KV cache"}));
  out.push_back(int_field<kS, kD, &D::micro_batches>(
      "serving.decode.micro_batches", 1, 2, {"", "2: two micro-batches overlap compute and dispatch/combine"}));
  out.push_back(enum_field<kv_dtype_names, kv_name, kS, kD, &D::kv_dtype>(
      "serving.decode.kv_dtype", {"", "KV cache format: fp8 (FlashMLA, 656 B per token per layer for V3) or bf16"}));
  out.push_back(real_field<kS, kD, &D::hbm_reserve_gb>(
      "serving.decode.hbm_reserve_gb", FieldKind::kReal, 0, 1e5,
      {"GB", "HBM kept for activations, workspaces and CUDA graphs, not for weights or KV"}));
  out.push_back(bool_field<kS, kD, &D::mtp>("serving.decode.mtp", {"", "MTP speculative decoding (depth 1)"}));
  out.push_back(real_field<kS, kD, &D::mtp_acceptance>(
      "serving.decode.mtp_acceptance", FieldKind::kReal, 0, 1,
      {"", "acceptance rate of the drafted second token (ISCA 2.3.3: 0.8-0.9)"}));
  out.push_back(bool_field<kS, kD, &D::ll_use_nvlink>(
      "serving.decode.ll_use_nvlink",
      {"", "DeepEP low-latency kernels use NVLink inside the NVLink domain (false: pure RDMA, DeepEP Feb 2025)"}));
}

void add_prices(std::vector<Field>& out) {
  constexpr auto kT = &ServingSpec::prices;
  out.push_back(real_field<kS, kT, &TokenPrices::input_hit_usd_per_m>(
      "serving.prices.input_hit_usd_per_m", FieldKind::kReal, 0, 1e6, {"USD", "price of 1M cache-hit input tokens"}));
  out.push_back(real_field<kS, kT, &TokenPrices::input_miss_usd_per_m>(
      "serving.prices.input_miss_usd_per_m", FieldKind::kReal, 0, 1e6, {"USD", "price of 1M cache-miss input tokens"}));
  out.push_back(real_field<kS, kT, &TokenPrices::output_usd_per_m>(
      "serving.prices.output_usd_per_m", FieldKind::kReal, 0, 1e6, {"USD", "price of 1M output tokens"}));
  out.push_back(real_field<kS, &ServingSpec::storage_gbps_per_node>(
      "serving.storage_gbps_per_node", FieldKind::kReal, 1e-3, 1e5,
      {"GB/s", "on-disk KV cache read bandwidth per prefill node (3FS over one 400G NIC)"}));
  out.push_back(bool_field<kS, &ServingSpec::what_if>(
      "serving.what_if", {"", "add the what-if tables: decode EP size, batch, GPU type, MTP acceptance"}));
}

}  // namespace

void add_serving_fields(std::vector<Field>& out) {
  add_workload(out);
  add_units(out);
  add_prices(out);
}

}  // namespace deepsim

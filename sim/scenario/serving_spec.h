// ServingSpec: the `serving:` section of a scenario (docs/serving.md): the request workload and its
// SLOs, the prefill and decode units of a prefill/decode-disaggregated deployment (DeepSeek-V3 TR 3.4;
// open-infra-index day 6) and the token prices a cost comparison uses. Read by sim/serve; the loader
// only checks types and ranges, the cross-field checks are sim/serve/serving_checks.h (they depend on
// the model, and a training-only scenario never pays for them).
#pragma once

#include <string>
#include <vector>

namespace deepsim {

// How request lengths are drawn around their mean (cv: coefficient of variation, stddev / mean).
enum class LengthDistribution {
  kFixed,        // every request has the mean length
  kExponential,  // memoryless (cv = 1 whatever `cv` says)
  kLognormal,    // mean and cv as given
};
[[nodiscard]] const char* to_string(LengthDistribution d);
[[nodiscard]] std::vector<std::string> length_distribution_names();

// How the decode unit's KV cache stores a token (per layer): FlashMLA's FP8 format is 656 B for V3
// (512 FP8 NoPE + 4 FP32 scales + 64 BF16 RoPE, reference R10); bf16 is (d_c + d_R) x 2 B = 1152 B.
enum class KvDtype { kFp8, kBf16 };
[[nodiscard]] const char* to_string(KvDtype d);
[[nodiscard]] std::vector<std::string> kv_dtype_names();

struct ServingWorkload {
  double request_rate_per_s = 0;  // mean Poisson arrival rate; 0: take it from trace_path
  std::string trace_path;         // CSV arrival_s,input_tokens,output_tokens (header optional)
  LengthDistribution distribution = LengthDistribution::kFixed;
  double input_tokens_mean = 4096;
  double input_tokens_cv = 0;
  double output_tokens_mean = 1024;
  double output_tokens_cv = 0;
  double cache_hit_ratio = 0;     // share of input tokens whose KV comes from the on-disk cache
  int sample_requests = 4096;     // requests drawn to estimate the length statistics

  bool operator==(const ServingWorkload&) const = default;
};

struct ServingSlo {
  double ttft_s = 5;      // time to first token
  double tpot_ms = 50;    // time per output token

  bool operator==(const ServingSlo&) const = default;
};

// One prefill deployment unit: attention data-parallel (with TP inside a DP group), MoE expert-parallel.
struct PrefillUnitSpec {
  int ep = 32;                  // GPUs of the unit (routed experts spread over them)
  int attention_tp = 1;         // attention tensor-parallel degree inside a DP group
  int redundant_experts = 32;   // extra expert slots per MoE layer (EPLB)
  int tokens_per_gpu = 16384;   // prompt tokens per GPU per batch (profile-data prefill: 16K)
  int micro_batches = 2;        // 2: two micro-batches overlap computation and dispatch/combine
  int comm_sms = 24;            // SMs the DeepEP normal kernels hold (DeepEP test harness: 24)

  bool operator==(const PrefillUnitSpec&) const = default;
};

struct DecodeUnitSpec {
  int ep = 144;                 // GPUs of the unit (day 6: EP144, 18 nodes)
  int attention_tp = 1;
  int redundant_experts = 32;
  int batch_per_gpu = 128;      // concurrent requests per GPU; 0: the largest meeting the TPOT SLO
  int micro_batches = 2;
  KvDtype kv_dtype = KvDtype::kFp8;
  double hbm_reserve_gb = 8;    // HBM kept for activations, workspaces, CUDA graphs (not KV)
  bool mtp = true;              // MTP speculative decoding with the model's MTP module (depth 1)
  double mtp_acceptance = 0.85; // acceptance of the second token (ISCA 2.3.3: 80-90%)
  bool ll_use_nvlink = false;   // DeepEP low-latency over NVLink inside the NVLink domain (Feb 2025: pure RDMA)

  bool operator==(const DecodeUnitSpec&) const = default;
};

// Token prices for revenue (default: DeepSeek-R1's API prices, day 6).
struct TokenPrices {
  double input_hit_usd_per_m = 0.14;
  double input_miss_usd_per_m = 0.55;
  double output_usd_per_m = 2.19;

  bool operator==(const TokenPrices&) const = default;
};

struct ServingSpec {
  ServingWorkload workload;
  ServingSlo slo;
  PrefillUnitSpec prefill;
  DecodeUnitSpec decode;
  TokenPrices prices;
  double storage_gbps_per_node = 50;  // on-disk KV cache reads (3FS) per node: one 400G RoCE NIC (ISCA 4.1)
  bool what_if = true;                // add the what-if tables (EP size, batch, GPU type, acceptance)

  bool operator==(const ServingSpec&) const = default;
};

}  // namespace deepsim

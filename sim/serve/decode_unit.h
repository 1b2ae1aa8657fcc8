// The decode unit (docs/serving.md, "Decode"): continuous batching of `batch_per_gpu` requests per GPU,
// attention data-parallel, routed experts expert-parallel over the unit, DeepEP low-latency dispatch and
// combine (no SMs held), two micro-batches overlapped, MTP speculation. One decode step is run as an
// engine task graph (overlap_schedule.h); throughput and TPOT follow from its length.
#pragma once

#include "sim/serve/overlap_schedule.h"
#include "sim/serve/serve_context.h"

namespace deepsim {

struct DecodeMemory {
  Bytes hbm;
  Bytes weights;            // this GPU's share: attention, dense FFN, shared experts, its expert slots, embedding, head, MTP
  Bytes reserve;            // serving.decode.hbm_reserve_gb
  Bytes kv_capacity;        // hbm - weights - reserve (0 when negative)
  Bytes kv_per_token;       // all layers, in the unit's KV format
  double kv_tokens_capacity = 0;
  double max_requests = 0;  // KV capacity / (kv_per_token x mean KV length): requests the cache holds
};

struct DecodeResult {
  int ep = 0;
  int batch_per_gpu = 0;
  int query_tokens = 1;       // tokens per request per step (2 with MTP)
  double accepted_per_step = 1;
  DecodeMemory memory;
  LayerStageTimes moe_layer;  // one micro-batch through one MoE layer
  LayerStageTimes dense_layer;
  Time head;                  // per micro-batch
  Time step;                  // one decode step (the task graph's makespan)
  Time compute_busy;
  Time comm_busy;
  Time tpot;                  // step / accepted tokens per step
  double output_tokens_per_s_gpu = 0;
  double output_tokens_per_s_node = 0;
  // The EP latency bound: every MoE layer's dispatch + combine of every micro-batch back to back, as if
  // compute were free (per step, and per output token).
  Time ep_bound_step;
  Time ep_bound_tpot;
  bool fits_kv = true;
  bool meets_tpot = true;
};

[[nodiscard]] DecodeMemory decode_memory(const ServeContext& c, int ep);
// One decode step at the unit's batch (batch_per_gpu, which must be > 0), with its task graph.
[[nodiscard]] DecodeResult evaluate_decode(const ServeContext& c, const DecodeUnitSpec& d, OverlapRun* graph = nullptr);
// batch_per_gpu 0: the largest even batch that fits the KV cache and meets the TPOT SLO (at least 2).
[[nodiscard]] DecodeResult decode_unit(const ServeContext& c, const DecodeUnitSpec& d, OverlapRun* graph = nullptr);

}  // namespace deepsim

// The prefill unit (docs/serving.md, "Prefill"): a batch of `tokens_per_gpu` new (cache-miss) prompt
// tokens per GPU through the layers, attention data-parallel (TP inside a DP group), routed experts
// expert-parallel, DeepEP normal dispatch/combine holding `comm_sms` SMs, two micro-batches overlapped.
// Cache-hit tokens cost no projections: their KV is read from the on-disk cache (3FS) and they take part
// in attention as the prefix of their request.
#pragma once

#include "sim/serve/overlap_schedule.h"
#include "sim/serve/serve_context.h"

namespace deepsim {

struct PrefillResult {
  LayerStageTimes moe_layer;   // one micro-batch through one MoE layer
  LayerStageTimes dense_layer;
  Time batch;                  // one batch of tokens_per_gpu new tokens (the task graph's makespan)
  Time batch_without_prefix;   // the same batch with no cached prefix: what the new tokens cost alone
  Time compute_busy;
  Time comm_busy;
  Time kv_read;                // reading the batch's cache-hit KV from storage (overlapped with compute)
  double miss_tokens_per_s_gpu = 0;
  double input_tokens_per_s_node = 0;  // including cache hits (day 6's figure)
  bool storage_bound = false;          // the KV reads, not compute, set the pace
  Time kv_transfer;            // one mean request's KV to the decode unit over the NIC
};

[[nodiscard]] PrefillResult prefill_unit(const ServeContext& c, OverlapRun* graph = nullptr);

}  // namespace deepsim

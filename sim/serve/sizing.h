// Sizing and cost (docs/serving.md, "Sizing and cost"): prefill and decode nodes for the workload's load,
// GPU-hours and dollars per day, dollars per million input (cache hit / miss) and output tokens, and the
// revenue at the scenario's token prices.
#pragma once

#include "sim/serve/decode_unit.h"
#include "sim/serve/prefill_unit.h"

namespace deepsim {

struct Sizing {
  double prefill_nodes_load = 0;  // load / per-node throughput: nodes a load-following deployment uses
  double decode_nodes_load = 0;
  int prefill_units = 0;          // whole units provisioned for the load (prefill: and the TTFT SLO)
  int decode_units = 0;
  int prefill_nodes = 0;
  int decode_nodes = 0;
  double prefill_utilisation = 0;  // load / provisioned capacity
  double decode_utilisation = 0;
  double gpu_hours_per_day = 0;       // provisioned
  double gpu_hours_per_day_load = 0;  // load-following (day 6 reports this: average node occupancy)
  double usd_per_day = 0;
  double usd_per_day_load = 0;
  // Marginal cost at full utilisation: the GPU time each kind of token takes, at usd_per_gpu_hour.
  double usd_per_m_input_miss = 0;
  double usd_per_m_input_hit = 0;
  double usd_per_m_output = 0;
  double revenue_usd_per_day = 0;
  double cost_profit_margin = 0;  // (revenue - cost) / cost, with the load-following cost
  Time ttft;                      // the prefill batch, the M/D/1 queueing wait, the KV transfer to decode
  bool meets_ttft = true;
};

[[nodiscard]] double nodes_per_unit(int ep, int gpus_per_node);
[[nodiscard]] Sizing size_deployment(const ServeContext& c, const PrefillResult& p, const DecodeResult& d);

}  // namespace deepsim

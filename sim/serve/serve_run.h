// `deepsim serve`: the whole serving study of one scenario (docs/serving.md): workload statistics, the
// prefill and decode units, sizing and cost, the EP speed limits, the what-if tables.
#pragma once

#include <string>
#include <vector>

#include "sim/serve/sizing.h"
#include "sim/serve/speed_limit.h"

namespace deepsim {

struct WhatIfRow {
  std::string axis;   // "decode EP", "batch per GPU", "GPU", "MTP acceptance"
  std::string value;  // "144", "H200", "0.85"
  bool runs = true;   // false: the plan cannot run (KV cache or weights do not fit)
  std::string note;
  DecodeResult decode;
  double decode_nodes_load = 0;
  double usd_per_m_output = 0;
};

struct ServeResult {
  std::string kernel_model;
  WorkloadStats work;
  PrefillResult prefill;
  DecodeResult decode;
  Sizing sizing;
  OverlapRun decode_graph;  // one decode step, for trace.json
  // ISCA 2.3.2's bound with this decode unit's own dispatch+combine (ep_bound_*), and the paper's own
  // arithmetic for its two fabrics.
  SpeedLimit paper_cx7;
  SpeedLimit paper_nvl72;
  std::vector<WhatIfRow> what_if;
  std::vector<std::string> notes;
};

[[nodiscard]] ServeResult run_serve(const Scenario& s);
// The paper's inputs (speed_limit.h) on one fabric bandwidth.
[[nodiscard]] SpeedLimit isca_speed_limit(Bandwidth bw);

}  // namespace deepsim

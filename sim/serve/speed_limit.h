// The speed limit of expert-parallel decoding, as the ISCA'25 paper ("Insights into DeepSeek-V3",
// arXiv 2505.09343, 2.3.2) computes it: if computation and communication overlap perfectly with two
// micro-batches and take equally long, a layer costs twice one micro-batch's dispatch + combine, and a
// token costs that times the layer count.
//   comm = (dispatch_bytes_per_elem + combine_bytes_per_elem) x tokens x experts_per_token x hidden / bw
//   layer = 2 x comm;  TPOT = layers x layer;  speed = 1 / TPOT
// The paper's inputs: FP8 dispatch (1 B) and BF16 combine (2 B), 32 tokens per device, 9 experts per token
// (8 routed + 1 shared), hidden "7K" = 7000, 61 layers; 50 GB/s (CX7 400G IB) or 900 GB/s (GB200 NVL72).
// deepsim prints the same bound for the decode unit it models, with that unit's own dispatch and combine
// times (decode_unit.h); this file is the paper's arithmetic alone, reproduced exactly by a test.
#pragma once

#include "sim/core/time.h"
#include "sim/core/units.h"

namespace deepsim {

struct SpeedLimitInput {
  double dispatch_bytes_per_elem = 1;  // FP8
  double combine_bytes_per_elem = 2;   // BF16
  double tokens = 32;
  double experts_per_token = 9;
  double hidden = 7000;
  Bandwidth bandwidth;
  int layers = 61;
  int micro_batches = 2;
};

struct SpeedLimit {
  double comm_s = 0;         // one micro-batch's dispatch + combine
  double layer_s = 0;        // micro_batches x comm
  double tpot_s = 0;         // layers x layer
  double tokens_per_s = 0;   // 1 / TPOT, per request
};

[[nodiscard]] SpeedLimit ep_speed_limit(const SpeedLimitInput& in);

}  // namespace deepsim

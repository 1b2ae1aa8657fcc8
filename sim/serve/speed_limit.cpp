#include "sim/serve/speed_limit.h"

#include "sim/core/error.h"

namespace deepsim {

SpeedLimit ep_speed_limit(const SpeedLimitInput& in) {
  DEEPSIM_ASSERT(in.bandwidth.bytes_per_s() > 0 && in.layers > 0 && in.micro_batches > 0, "speed-limit inputs");
  SpeedLimit r;
  const double bytes = (in.dispatch_bytes_per_elem + in.combine_bytes_per_elem) * in.tokens * in.experts_per_token * in.hidden;
  r.comm_s = bytes / in.bandwidth.bytes_per_s();
  r.layer_s = in.micro_batches * r.comm_s;
  r.tpot_s = in.layers * r.layer_s;
  r.tokens_per_s = 1.0 / r.tpot_s;
  return r;
}

}  // namespace deepsim

#include "sim/engine/comm_op.h"

namespace deepsim {

const char* to_string(CommKind k) {
  switch (k) {
    case CommKind::kSendRecv: return "send/recv";
    case CommKind::kAllReduce: return "all-reduce";
    case CommKind::kReduceScatter: return "reduce-scatter";
    case CommKind::kAllGather: return "all-gather";
    case CommKind::kAllToAll: return "all-to-all";
    case CommKind::kDispatch: return "dispatch";
    case CommKind::kCombine: return "combine";
    case CommKind::kRingShift: return "ring shift";
  }
  return "?";
}

const char* to_string(CommDtype d) {
  switch (d) {
    case CommDtype::kFp8: return "fp8";
    case CommDtype::kBf16: return "bf16";
    case CommDtype::kFp32: return "fp32";
  }
  return "?";
}

}  // namespace deepsim

#include "sim/parallel/parallel_spec.h"

namespace deepsim {

const char* to_string(ScheduleKind k) {
  switch (k) {
    case ScheduleKind::kGPipe: return "gpipe";
    case ScheduleKind::k1F1B: return "1f1b";
    case ScheduleKind::kInterleaved1F1B: return "interleaved-1f1b";
    case ScheduleKind::kZb1p: return "zb1p";
    case ScheduleKind::kDualPipe: return "dualpipe";
    case ScheduleKind::kDualPipeV: return "dualpipev";
  }
  return "?";
}

const char* to_string(TpCommOverlap o) {
  switch (o) {
    case TpCommOverlap::kNone: return "none";
    case TpCommOverlap::kAsyncGrad: return "async-grad";
    case TpCommOverlap::kUserBuffers: return "userbuffers";
  }
  return "?";
}

const char* to_string(DeepEpMode m) { return m == DeepEpMode::kLowLatency ? "low-latency" : "normal"; }

}  // namespace deepsim

// 1F1B (PipeDream-flush): warm-up forwards fill the pipe, then each rank alternates one forward and
// one full backward, so rank r never holds more than pp - r micro-batches' activations.
#include <algorithm>

#include "sim/parallel/detail/schedule_builder.h"
#include "sim/parallel/schedules.h"

namespace deepsim {

Result<Schedule> make_1f1b(int pp, int micro_batches) {
  if (pp < 1 || micro_batches < 1) return detail::plan_error("1f1b needs pp >= 1 and micro_batches >= 1");
  Schedule s = detail::linear_skeleton(ScheduleKind::k1F1B, pp, micro_batches);
  for (int r = 0; r < pp; ++r) {
    detail::RankEmitter e(s, r);
    // Rank r's first backward can start only after the micro-batch crossed pp-1-r more stages.
    const int warmup = std::min(pp - 1 - r, micro_batches);
    for (int mb = 0; mb < warmup; ++mb) e.f(mb);
    for (int i = 0; i < micro_batches - warmup; ++i) {
      e.f(warmup + i);
      e.b_full(i);
    }
    for (int mb = micro_batches - warmup; mb < micro_batches; ++mb) e.b_full(mb);
  }
  add_p2p(s);
  return s;
}

}  // namespace deepsim

// GPipe: every rank runs all forwards, then all full backwards in the same micro-batch order.
// Bubble (PP-1)(F+B) at the price of holding all m micro-batches' activations.
#include "sim/parallel/detail/schedule_builder.h"
#include "sim/parallel/schedules.h"

namespace deepsim {

Result<Schedule> make_gpipe(int pp, int micro_batches) {
  if (pp < 1 || micro_batches < 1) return detail::plan_error("gpipe needs pp >= 1 and micro_batches >= 1");
  Schedule s = detail::linear_skeleton(ScheduleKind::kGPipe, pp, micro_batches);
  for (int r = 0; r < pp; ++r) {
    detail::RankEmitter e(s, r);
    for (int mb = 0; mb < micro_batches; ++mb) e.f(mb);
    for (int mb = 0; mb < micro_batches; ++mb) e.b_full(mb);
  }
  add_p2p(s);
  return s;
}

}  // namespace deepsim

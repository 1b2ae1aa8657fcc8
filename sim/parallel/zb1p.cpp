// ZB-H1, the zero-bubble schedule with 1F1B's memory (Qi et al., "Zero Bubble Pipeline Parallelism",
// ICLR 2024). The backward is split into B (input gradient, on the critical path) and W (weight
// gradient, needed only by the optimizer). Rank r keeps 1F1B's order of F and B but runs each W r
// backward passes late: the last rank, which in 1F1B delays every upstream B by its W, now turns its
// gradients around after B alone, and the late W's fill the cool-down where 1F1B idles. With uniform
// costs and W <= B the bubble is (PP-1)(F+B-W) per rank, B the input part: (PP-1)(F+B-2W) with the full
// backward B of reference R16. Activations in flight stay those of 1F1B (<= PP on rank 0).
#include <algorithm>

#include "sim/parallel/detail/schedule_builder.h"
#include "sim/parallel/schedules.h"

namespace deepsim {

namespace {

void emit_rank(Schedule& s, int r) {
  const int pp = s.ranks;
  const int m = s.micro_batches;
  detail::RankEmitter e(s, r);
  const int warmup = std::min(pp - 1 - r, m);
  const int lag = r;  // W's this rank holds back behind its B's
  int next_b = 0;
  int next_w = 0;
  auto backward = [&] {
    e.b_input(next_b++);
    if (next_b - next_w > lag) e.w(next_w++);
  };
  for (int mb = 0; mb < warmup; ++mb) e.f(mb);
  for (int i = 0; i < m - warmup; ++i) {
    e.f(warmup + i);
    backward();
  }
  while (next_b < m) backward();
  while (next_w < m) e.w(next_w++);
}

}  // namespace

Result<Schedule> make_zb1p(int pp, int micro_batches) {
  if (pp < 1 || micro_batches < 1) return detail::plan_error("zb1p needs pp >= 1 and micro_batches >= 1");
  Schedule s = detail::linear_skeleton(ScheduleKind::kZb1p, pp, micro_batches);
  for (int r = 0; r < pp; ++r) emit_rank(s, r);
  add_p2p(s);
  return s;
}

}  // namespace deepsim

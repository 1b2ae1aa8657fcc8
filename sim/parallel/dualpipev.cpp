// DualPipeV (DualPipe cut in half, Sea AI Lab; github.com/deepseek-ai/DualPipe dualpipe/dualpipev.py).
// One model copy of pp stages on pp/2 ranks: rank r holds stage r (chunk 0) and stage pp-1-r (chunk 1),
// so a micro-batch goes down ranks 0..pp/2-1 on chunk 0, turns around on the last rank without a send,
// and comes back up on chunk 1. Same bubble and per-device memory as DualPipe on half the devices.
#include "sim/parallel/detail/dual_steps.h"
#include "sim/parallel/schedules.h"

namespace deepsim {

namespace {

Schedule dualpipev_skeleton(int pp, int micro_batches) {
  const int ranks = pp / 2;
  Schedule s;
  s.kind = ScheduleKind::kDualPipeV;
  s.pp = pp;
  s.ranks = ranks;
  s.chunks_per_rank = 2;
  s.micro_batches = micro_batches;
  std::vector<Loc> v;
  for (int r = 0; r < ranks; ++r) v.push_back({r, 0});
  for (int r = ranks - 1; r >= 0; --r) v.push_back({r, 1});
  s.routes.emplace_back(std::move(v), ranks, 2);
  s.route_of_mb.assign(static_cast<std::size_t>(micro_batches), 0);
  s.program.resize(static_cast<std::size_t>(ranks));
  return s;
}

}  // namespace

Result<Schedule> make_dualpipev(int pp, int micro_batches) {
  if (pp < 2 || pp % 2 != 0) {
    return detail::plan_error("dualpipev needs an even number of stages pp >= 2 (got " + std::to_string(pp) + ")");
  }
  if (micro_batches < pp) {
    return detail::plan_error("dualpipev needs micro-batches >= 2 x ranks = pp = " + std::to_string(pp) +
                              " (got " + std::to_string(micro_batches) + ")");
  }
  Schedule s = dualpipev_skeleton(pp, micro_batches);
  const int ranks = pp / 2;
  for (int r = 0; r < ranks; ++r) {
    detail::DualRank d(s, r, /*flip=*/false, {0, 0});
    detail::emit_dual_steps(d, ranks, r, micro_batches, /*unsplit_first_pair=*/r == ranks - 1);
  }
  add_p2p(s);
  return s;
}

}  // namespace deepsim

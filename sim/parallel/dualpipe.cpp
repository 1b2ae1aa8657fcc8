// DualPipe (DeepSeek-V3 technical report §3.2.1; github.com/deepseek-ai/DualPipe dualpipe/dualpipe.py).
// Two copies of the pp-stage model run in opposite directions over the same pp ranks: rank r holds stage
// r of the forward copy (chunk 0) and stage pp-1-r of the reverse copy (chunk 1). The first half of the
// micro-batches enters at rank 0, the second half at rank pp-1. Rank r and rank pp-1-r are mirror images
// (half rank h = min(r, pp-1-r)); dualpipe.py's "phase" is the direction flipped on the second half.
// Steady state pairs a forward of one direction with a backward of the other (F&B), whose computation
// and communication overlap in the real system; the bubble is (PP/2-1)(F&B+B-3W) and the two copies cost
// 2x parameters and PP+1 micro-batches of activations (reference R16).
#include "sim/parallel/detail/dual_steps.h"
#include "sim/parallel/schedules.h"

namespace deepsim {

namespace {

Schedule dualpipe_skeleton(int pp, int micro_batches) {
  Schedule s;
  s.kind = ScheduleKind::kDualPipe;
  s.pp = pp;
  s.ranks = pp;
  s.chunks_per_rank = 2;
  s.micro_batches = micro_batches;
  std::vector<Loc> down;
  std::vector<Loc> up;
  for (int r = 0; r < pp; ++r) {
    down.push_back({r, 0});
    up.push_back({pp - 1 - r, 1});
  }
  s.routes.emplace_back(std::move(down), pp, 2);
  s.routes.emplace_back(std::move(up), pp, 2);
  for (int mb = 0; mb < micro_batches; ++mb) s.route_of_mb.push_back(mb < micro_batches / 2 ? 0 : 1);
  s.program.resize(static_cast<std::size_t>(pp));
  return s;
}

}  // namespace

Result<Schedule> make_dualpipe(int pp, int micro_batches) {
  if (pp < 2 || pp % 2 != 0) {
    return detail::plan_error("dualpipe needs an even pp >= 2 (got " + std::to_string(pp) + ")");
  }
  if (micro_batches % 2 != 0 || micro_batches < 2 * pp) {
    return detail::plan_error("dualpipe needs an even number of micro-batches >= 2 x pp = " +
                              std::to_string(2 * pp) + " (got " + std::to_string(micro_batches) + ")");
  }
  Schedule s = dualpipe_skeleton(pp, micro_batches);
  const int half = pp / 2;
  for (int r = 0; r < pp; ++r) {
    const bool second_half = r >= half;
    const int h = second_half ? pp - 1 - r : r;
    detail::DualRank d(s, r, second_half, {0, micro_batches / 2});
    detail::emit_dual_steps(d, half, h, micro_batches / 2, /*unsplit_first_pair=*/h == half - 1);
  }
  add_p2p(s);
  return s;
}

}  // namespace deepsim

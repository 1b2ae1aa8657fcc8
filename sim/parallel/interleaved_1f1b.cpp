// Interleaved 1F1B (Megatron-LM, Narayanan et al. 2021): the model is cut into pp x v stages and rank r
// holds stages r, r+pp, r+2pp, ... as chunks 0..v-1. Micro-batches move through each chunk in groups of
// pp, so a rank's i-th forward is micro-batch (i / (pp v)) pp + i % pp on chunk (i / pp) % v, and its
// backwards visit the chunks in reverse. Warm-up is 2(pp-1-r) + (v-1) pp forwards, then 1F1B.
// Each chunk is 1/v of a stage, so the bubble shrinks to (PP-1)(F+B)/v.
#include <algorithm>

#include "sim/parallel/detail/schedule_builder.h"
#include "sim/parallel/schedules.h"

namespace deepsim {

namespace {

struct VirtualIndex {
  int pp;
  int v;
  [[nodiscard]] Piece forward(int i) const { return {(i / (pp * v)) * pp + i % pp, (i / pp) % v}; }
  [[nodiscard]] Piece backward(int i) const { return {(i / (pp * v)) * pp + i % pp, v - 1 - (i / pp) % v}; }
};

Schedule interleaved_skeleton(int pp, int micro_batches, int v) {
  Schedule s;
  s.kind = ScheduleKind::kInterleaved1F1B;
  s.pp = pp;
  s.ranks = pp;
  s.chunks_per_rank = v;
  s.micro_batches = micro_batches;
  std::vector<Loc> stages;
  for (int c = 0; c < v; ++c) {
    for (int r = 0; r < pp; ++r) stages.push_back({r, c});
  }
  s.routes.emplace_back(std::move(stages), pp, v);
  s.route_of_mb.assign(static_cast<std::size_t>(micro_batches), 0);
  s.program.resize(static_cast<std::size_t>(pp));
  return s;
}

}  // namespace

Result<Schedule> make_interleaved_1f1b(int pp, int micro_batches, int virtual_stages) {
  if (pp < 1 || micro_batches < 1 || virtual_stages < 1) {
    return detail::plan_error("interleaved-1f1b needs pp, micro_batches and virtual_stages >= 1");
  }
  if (micro_batches % pp != 0) {
    return detail::plan_error("interleaved-1f1b needs micro_batches (" + std::to_string(micro_batches) +
                              ") to be a multiple of pp (" + std::to_string(pp) + ")");
  }
  Schedule s = interleaved_skeleton(pp, micro_batches, virtual_stages);
  const VirtualIndex idx{pp, virtual_stages};
  const int total = micro_batches * virtual_stages;
  for (int r = 0; r < pp; ++r) {
    detail::RankEmitter e(s, r);
    const int warmup = std::min(2 * (pp - 1 - r) + (virtual_stages - 1) * pp, total);
    for (int i = 0; i < warmup; ++i) e.f(idx.forward(i).mb, idx.forward(i).chunk);
    for (int i = 0; i < total - warmup; ++i) {
      e.f(idx.forward(warmup + i).mb, idx.forward(warmup + i).chunk);
      e.b_full(idx.backward(i).mb, idx.backward(i).chunk);
    }
    for (int i = total - warmup; i < total; ++i) e.b_full(idx.backward(i).mb, idx.backward(i).chunk);
  }
  add_p2p(s);
  return s;
}

}  // namespace deepsim

// Skeletons shared by the generators and the dispatch from a ParallelSpec.
#include "sim/parallel/schedules.h"

#include "sim/parallel/detail/schedule_builder.h"

namespace deepsim {

namespace detail {

Schedule linear_skeleton(ScheduleKind kind, int pp, int micro_batches) {
  Schedule s;
  s.kind = kind;
  s.pp = pp;
  s.ranks = pp;
  s.chunks_per_rank = 1;
  s.micro_batches = micro_batches;
  std::vector<Loc> stages;
  for (int r = 0; r < pp; ++r) stages.push_back({r, 0});
  s.routes.emplace_back(std::move(stages), pp, 1);
  s.route_of_mb.assign(static_cast<std::size_t>(micro_batches), 0);
  s.program.resize(static_cast<std::size_t>(pp));
  return s;
}

}  // namespace detail

Result<Schedule> make_schedule(const ParallelSpec& spec) {
  switch (spec.schedule) {
    case ScheduleKind::kGPipe: return make_gpipe(spec.pp, spec.micro_batches);
    case ScheduleKind::k1F1B: return make_1f1b(spec.pp, spec.micro_batches);
    case ScheduleKind::kInterleaved1F1B:
      return make_interleaved_1f1b(spec.pp, spec.micro_batches, spec.virtual_stages);
    case ScheduleKind::kZb1p: return make_zb1p(spec.pp, spec.micro_batches);
    case ScheduleKind::kDualPipe: return make_dualpipe(spec.pp, spec.micro_batches);
    case ScheduleKind::kDualPipeV: return make_dualpipev(2 * spec.pp, spec.micro_batches);
  }
  return detail::plan_error("unknown schedule kind");
}

}  // namespace deepsim

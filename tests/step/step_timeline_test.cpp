// The report's step timeline from a simulated step: per rank and track, spans in time order that never
// overlap, and the compute track covers the rank's busy time to within the timeline's resolution.
#include "sim/step/step_timeline.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "sim/scenario/loader.h"
#include "sim/step/simulate.h"

namespace deepsim {
namespace {

TEST(StepTimeline, SpansAreOrderedDisjointAndCoverTheBusyTime) {
  const std::vector<std::string> overrides = {"parallel.micro_batches=32", "training.global_batch=4096"};
  const StepSimulation sim =
      simulate_step_full(load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/default.yaml", overrides));
  const StepResult& r = sim.result;
  ASSERT_FALSE(r.timeline.empty());
  EXPECT_LT(r.timeline.size(), 16u * 2 * 1500);  // bounded by ranks x tracks x bins
  std::map<std::pair<int, bool>, Time> last_end, covered;
  for (const TimelineSpan& s : r.timeline) {
    const auto key = std::make_pair(s.rank, s.comm);
    EXPECT_LT(s.start, s.end);
    EXPECT_LE(s.end, r.step);
    EXPECT_GE(s.start, last_end[key]) << "rank " << s.rank;
    last_end[key] = s.end;
    covered[key] += s.end - s.start;
    EXPECT_EQ(s.comm, s.kind == TimelineKind::kAllToAll || s.kind == TimelineKind::kPipelineSend ||
                          s.kind == TimelineKind::kDpSync);
  }
  // Each bin shows its majority kind, so coverage differs from the busy time by under one bin per
  // busy/idle edge; a few percent of the step bounds that for a DualPipe step.
  for (const RankResult& rr : r.ranks) {
    const double busy = rr.busy.seconds(), shown = covered[{rr.rank, false}].seconds();
    EXPECT_NEAR(shown, busy, 0.05 * r.step.seconds()) << "rank " << rr.rank;
  }
}

}  // namespace
}  // namespace deepsim

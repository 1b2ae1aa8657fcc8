#include "sim/step/step_timeline.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <tuple>

namespace deepsim {
namespace {

std::optional<TimelineKind> kind_of(const StepTaskInfo& info, const Task& task) {
  switch (info.op) {
    case StepOp::kNone: return std::nullopt;
    case StepOp::kStageWgrad: return TimelineKind::kWeightGrad;
    case StepOp::kDispatch: case StepOp::kCombine: case StepOp::kDispatchBwd: case StepOp::kCombineBwd:
      return TimelineKind::kAllToAll;
    case StepOp::kSendActivation: case StepOp::kSendGradient: return TimelineKind::kPipelineSend;
    case StepOp::kDpSync: return TimelineKind::kDpSync;
    case StepOp::kTpAllReduce: case StepOp::kTpReduceScatter: case StepOp::kTpAllGather:
    case StepOp::kEtpAllGather: case StepOp::kEtpReduceScatter:
      return TimelineKind::kTensorParallel;
    case StepOp::kCpRingSend: return TimelineKind::kContextParallel;
    case StepOp::kOptimizer: return TimelineKind::kOptimizer;
    default: break;
  }
  if (is_forward_compute(info.op)) return TimelineKind::kForward;
  // A full backward's weight gradients run beside its input gradients; both are the backward here,
  // except where a split schedule made W its own instruction (kStageWgrad above).
  (void)task;
  return TimelineKind::kBackward;
}

}  // namespace

std::vector<TimelineSpan> step_timeline(const StepGraph& g, const RunResult& run, double resolution) {
  std::vector<TimelineSpan> spans;
  const auto tasks = g.graph.tasks();
  if (g.info.size() != tasks.size() || run.tasks.size() != tasks.size()) return spans;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const int rank = g.rank_of_task[i];
    if (rank < 0 || tasks[i].kind == TaskKind::kDelay) continue;
    const auto kind = kind_of(g.info[i], tasks[i]);
    if (!kind) continue;
    const bool comm = tasks[i].kind == TaskKind::kFlow || tasks[i].kind == TaskKind::kComm || static_cast<std::size_t>(*kind) >= static_cast<std::size_t>(TimelineKind::kAllToAll);
    spans.push_back({rank, comm, *kind, run.tasks[i].start, run.tasks[i].end, 1});
  }
  // Per (rank, track): the step cut into bins of `resolution`; each bin shows the kind that filled most of
  // it (nothing when the track was idle for most of it); equal neighbours join into one span. A DualPipe
  // F&B pair alternates forward and backward ops at layer granularity, finer than a report draws.
  const auto bins = static_cast<std::size_t>(std::max(1.0, 1.0 / resolution));
  const double step_ps = static_cast<double>(run.makespan.count_ps());
  if (step_ps <= 0) return {};
  const double bin_ps = step_ps / static_cast<double>(bins);
  std::map<std::pair<int, bool>, std::vector<std::array<double, kTimelineKindCount>>> fill;
  std::map<std::pair<int, bool>, std::vector<int>> count;
  for (const TimelineSpan& sp : spans) {
    auto& f = fill[{sp.rank, sp.comm}];
    auto& n = count[{sp.rank, sp.comm}];
    if (f.empty()) {
      f.assign(bins, {});
      n.assign(bins, 0);
    }
    const double a = static_cast<double>(sp.start.count_ps()), b = static_cast<double>(sp.end.count_ps());
    const auto first = std::min(bins - 1, static_cast<std::size_t>(a / bin_ps));
    const auto last = std::min(bins - 1, static_cast<std::size_t>(std::max(a, b - 1) / bin_ps));
    for (std::size_t i = first; i <= last; ++i) {
      const double lo = std::max(a, bin_ps * static_cast<double>(i)), hi = std::min(b, bin_ps * static_cast<double>(i + 1));
      if (hi > lo) f[i][static_cast<std::size_t>(sp.kind)] += hi - lo;
    }
    ++n[first];
  }
  std::vector<TimelineSpan> merged;
  for (const auto& [key, f] : fill) {
    const auto& n = count[key];
    for (std::size_t i = 0; i < bins; ++i) {
      std::size_t best = 0;
      double total = 0;
      for (std::size_t k = 0; k < kTimelineKindCount; ++k) {
        total += f[i][k];
        if (f[i][k] > f[i][best]) best = k;
      }
      if (total < 0.5 * bin_ps) continue;
      const Time from = Time::ps(static_cast<Time::rep>(bin_ps * static_cast<double>(i)));
      const Time to = Time::ps(static_cast<Time::rep>(bin_ps * static_cast<double>(i + 1)));
      const auto kind = static_cast<TimelineKind>(best);
      if (!merged.empty() && merged.back().rank == key.first && merged.back().comm == key.second &&
          merged.back().kind == kind && merged.back().end == from) {
        merged.back().end = to;
        merged.back().tasks += n[i];
      } else {
        merged.push_back({key.first, key.second, kind, from, to, n[i]});
      }
    }
  }
  return merged;
}

}  // namespace deepsim

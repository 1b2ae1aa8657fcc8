#include "sim/api/timeline.h"

#include "sim/step/task_info.h"

#include <algorithm>
#include <cstdlib>

namespace deepsim::api {
namespace {

// The labels of sim/step/step_graph.cpp: "<op> L<layer> mb<m> s<stage>", "W mb<m> s<stage>",
// "<op>-bwd ...", "send-act mb<m>". The micro-batch is the number after " mb" (or a leading "mb").
int micro_batch_of(const std::string& label) {
  std::size_t at = label.rfind("mb");
  while (at != std::string::npos) {
    const bool word_start = at == 0 || label[at - 1] == ' ' || label[at - 1] == '-';
    if (word_start && at + 2 < label.size() && std::isdigit(static_cast<unsigned char>(label[at + 2])))
      return std::atoi(label.c_str() + at + 2);
    if (at == 0) break;
    at = label.rfind("mb", at - 1);
  }
  return -1;
}

SliceKind compute_kind(const std::string& label, StepCategory cat) {
  if (cat == StepCategory::kOptimizer || cat == StepCategory::kDataParallel) return SliceKind::kOptimizer;
  // "W mb3 s0" is a W instruction (zero-bubble split); "attn-bwd W ..." is the weight-gradient half of a
  // full backward, which belongs to its B.
  if (cat == StepCategory::kWeightGrad || label.rfind("W ", 0) == 0) return SliceKind::kWeightGrad;
  if (label.find("-bwd") != std::string::npos) return SliceKind::kBackward;
  return SliceKind::kForward;
}

// A forward and a backward of different micro-batches in flight together interleave task by task on the
// compute stream: DualPipe's F&B instruction issues them so, and in other schedules it happens where the
// engine finds both ready. A forward/backward run of one or two tasks with the other pass on both sides
// is marked as such an F&B overlap; a chunk that runs alone is a block of several tasks.
void mark_pairs(std::vector<TimelineSlice>& lane) {
  auto pass = [](const TimelineSlice& s) {
    return s.kind == SliceKind::kForward ? 0 : s.kind == SliceKind::kBackward ? 1 : -1;
  };
  std::size_t i = 0;
  while (i < lane.size()) {
    std::size_t j = i;
    while (j < lane.size() && pass(lane[j]) == pass(lane[i]) && lane[j].micro_batch == lane[i].micro_batch) ++j;
    const int p = pass(lane[i]);
    const bool before = i > 0 && pass(lane[i - 1]) == 1 - p;
    const bool after = j < lane.size() && pass(lane[j]) == 1 - p;
    if (p >= 0 && j - i <= 2 && before && after) {
      for (std::size_t k = i; k < j; ++k) lane[k].paired = true;
      lane[i - 1].paired = true;
      lane[j].paired = true;
    }
    i = j;
  }
}

}  // namespace

const char* to_string(SliceKind k) {
  switch (k) {
    case SliceKind::kForward: return "F";
    case SliceKind::kBackward: return "B";
    case SliceKind::kWeightGrad: return "W";
    case SliceKind::kOptimizer: return "optimizer";
    case SliceKind::kComm: return "comm";
    case SliceKind::kBubble: return "bubble";
  }
  return "?";
}

Timeline timeline(const StepSimulation& step, double min_bubble_s) {
  const StepGraph& sg = step.graph;
  const TaskGraph& g = sg.graph;
  Timeline out;
  out.ranks = static_cast<int>(sg.rank_streams.size());
  out.step_s = step.result.step.seconds();
  const auto cats = step_category_names();
  std::vector<std::vector<TimelineSlice>> compute(static_cast<std::size_t>(out.ranks));
  std::vector<std::vector<TimelineSlice>> comm(static_cast<std::size_t>(out.ranks));
  const auto tasks = g.tasks();
  for (std::size_t i = 0; i < tasks.size() && i < sg.rank_of_task.size(); ++i) {
    const int rank = sg.rank_of_task[i];
    const Task& t = tasks[i];
    if (rank < 0 || rank >= out.ranks || t.kind == TaskKind::kDelay) continue;
    const TaskTiming& tm = step.run.tasks[i];
    TimelineSlice s;
    s.rank = rank;
    s.op = t.label != 0 || i >= sg.info.size() ? g.labels()[t.label] : step_task_label(sg.info[i]);
    s.category = t.category < cats.size() ? cats[t.category] : "task";
    s.micro_batch = micro_batch_of(s.op);
    s.start_s = tm.start.seconds();
    s.end_s = tm.end.seconds();
    const bool on_compute = t.kind == TaskKind::kCompute && t.stream == sg.rank_streams[static_cast<std::size_t>(rank)][0];
    if (on_compute) {
      s.kind = compute_kind(s.op, static_cast<StepCategory>(t.category));
      compute[static_cast<std::size_t>(rank)].push_back(std::move(s));
    } else {
      s.kind = SliceKind::kComm;
      s.comm_lane = true;
      comm[static_cast<std::size_t>(rank)].push_back(std::move(s));
    }
  }
  auto by_start = [](const TimelineSlice& a, const TimelineSlice& b) {
    return a.start_s != b.start_s ? a.start_s < b.start_s : a.end_s < b.end_s;
  };
  for (int r = 0; r < out.ranks; ++r) {
    auto& lane = compute[static_cast<std::size_t>(r)];
    std::stable_sort(lane.begin(), lane.end(), by_start);
    mark_pairs(lane);
    // Idle stretches of the compute stream: the rank waits on the pipeline or on communication.
    std::vector<TimelineSlice> gaps;
    double cursor = 0;
    for (const auto& s : lane) {
      if (s.start_s - cursor >= min_bubble_s) gaps.push_back({r, SliceKind::kBubble, false, false, "bubble", "idle", -1, cursor, s.start_s});
      cursor = std::max(cursor, s.end_s);
    }
    if (out.step_s - cursor >= min_bubble_s) gaps.push_back({r, SliceKind::kBubble, false, false, "bubble", "idle", -1, cursor, out.step_s});
    lane.insert(lane.end(), gaps.begin(), gaps.end());
    std::stable_sort(lane.begin(), lane.end(), by_start);
    auto& c = comm[static_cast<std::size_t>(r)];
    std::stable_sort(c.begin(), c.end(), by_start);
    out.slices.insert(out.slices.end(), lane.begin(), lane.end());
    out.slices.insert(out.slices.end(), c.begin(), c.end());
  }
  return out;
}

}  // namespace deepsim::api

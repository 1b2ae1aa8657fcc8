#include "sim/step/step_metrics.h"

#include <algorithm>
#include <utility>

#include "sim/core/error.h"

namespace deepsim {
namespace {

using Interval = std::pair<Time, Time>;

// Sorts and merges overlapping intervals.
std::vector<Interval> merged(std::vector<Interval> v) {
  std::sort(v.begin(), v.end());
  std::vector<Interval> out;
  for (const auto& iv : v) {
    if (iv.second <= iv.first) continue;
    if (!out.empty() && iv.first <= out.back().second) {
      out.back().second = max(out.back().second, iv.second);
    } else {
      out.push_back(iv);
    }
  }
  return out;
}

Time length(const std::vector<Interval>& v) {
  Time t;
  for (const auto& iv : v) t += iv.second - iv.first;
  return t;
}

// Total length of the intersection of two merged interval lists.
Time overlap(const std::vector<Interval>& a, const std::vector<Interval>& b) {
  Time t;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const Time lo = max(a[i].first, b[j].first);
    const Time hi = min(a[i].second, b[j].second);
    if (lo < hi) t += hi - lo;
    if (a[i].second < b[j].second) ++i; else ++j;
  }
  return t;
}

std::vector<LinkClassUse> link_use(const RunResult& run, const LinkTable& links, Time step) {
  std::vector<LinkClassUse> out(kLinkClassCount);
  for (int c = 0; c < kLinkClassCount; ++c) out[static_cast<std::size_t>(c)].cls = static_cast<LinkClass>(c);
  for (std::size_t l = 0; l < run.link_bytes.size() && l < links.size(); ++l) {
    const double bytes = run.link_bytes[l];
    if (bytes <= 0) continue;
    const Link& link = links[LinkId(static_cast<LinkId::rep>(l))];
    auto& u = out[static_cast<std::size_t>(link.cls)];
    const double util = bytes / (link.capacity.bytes_per_s() * step.seconds());
    u.links += 1;
    u.bytes += bytes;
    u.mean_utilisation += util;
    u.max_utilisation = std::max(u.max_utilisation, util);
  }
  std::vector<LinkClassUse> used;
  for (auto& u : out) {
    if (u.links == 0) continue;
    u.mean_utilisation /= u.links;
    used.push_back(u);
  }
  return used;
}

// The wall-clock breakdown of one rank (WallPart): each instruction's span, from its first task's start to
// its last task's end, counted to the instruction's kind; the rest of the step is bubble. Spans of one
// rank are disjoint by construction (each instruction's first tasks wait for the previous one's end), so
// the parts sum to the step exactly; an overlap would be a builder bug, and is asserted.
std::array<Time, kWallPartCount> wall_breakdown(const std::vector<WallPart>& parts, std::vector<Interval> spans,
                                                Time step) {
  std::array<Time, kWallPartCount> wall{};
  Time covered, last_end;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const Interval& iv = spans[i];
    if (iv.second < iv.first) continue;  // no task of it ran (an instruction with nothing to do)
    DEEPSIM_ASSERT(iv.first >= last_end, "instructions of one rank overlap in time");
    last_end = iv.second;
    wall[static_cast<std::size_t>(parts[i])] += iv.second - iv.first;
    covered += iv.second - iv.first;
  }
  DEEPSIM_ASSERT(covered <= step, "instructions run past the step");
  wall[static_cast<std::size_t>(WallPart::kBubble)] += step - covered;
  return wall;
}

}  // namespace

StepResult step_metrics(const StepGraph& g, const RunResult& run, const LinkTable& links,
                        const std::vector<int>& rank_gpu) {
  StepResult r;
  r.step = run.makespan;
  r.tasks = g.graph.size();
  r.events = run.events;
  const std::size_t ranks = rank_gpu.size();
  std::vector<std::vector<Interval>> compute(ranks), comm(ranks), dp(ranks);
  r.ranks.resize(ranks);
  // Per rank, per instruction: [first start, last end]; (max, zero) until a task of it is seen.
  std::vector<std::vector<Interval>> spans(ranks);
  for (std::size_t k = 0; k < ranks && k < g.instr_part.size(); ++k)
    spans[k].assign(g.instr_part[k].size(), Interval{Time::max(), Time::zero()});
  const auto tasks = g.graph.tasks();
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const int rank = g.rank_of_task[i];
    if (rank < 0) continue;
    const Task& t = tasks[i];
    const TaskTiming& tm = run.tasks[i];
    if (i < g.instr_of_task.size() && g.instr_of_task[i] >= 0) {
      Interval& sp = spans[static_cast<std::size_t>(rank)][static_cast<std::size_t>(g.instr_of_task[i])];
      sp.first = min(sp.first, tm.start);
      sp.second = max(sp.second, tm.end);
    }
    const Time d = tm.end - tm.start;
    if (d <= Time::zero()) continue;
    auto& rr = r.ranks[static_cast<std::size_t>(rank)];
    const auto cat = static_cast<StepCategory>(t.category);
    rr.by_category[static_cast<std::size_t>(cat)] += d;
    const bool is_comm = t.kind == TaskKind::kFlow || t.kind == TaskKind::kComm || is_communication(cat);
    if (is_comm) {
      comm[static_cast<std::size_t>(rank)].emplace_back(tm.start, tm.end);
      if (cat == StepCategory::kDataParallel) dp[static_cast<std::size_t>(rank)].emplace_back(tm.start, tm.end);
    } else {
      compute[static_cast<std::size_t>(rank)].emplace_back(tm.start, tm.end);
      rr.by_phase[static_cast<std::size_t>(g.phase[i])] += d;
    }
  }
  for (std::size_t k = 0; k < ranks; ++k) {
    auto& rr = r.ranks[k];
    rr.rank = static_cast<int>(k);
    rr.gpu = rank_gpu[k];
    const auto c = merged(std::move(compute[k]));
    const auto m = merged(std::move(comm[k]));
    rr.busy = length(c);
    rr.idle = r.step - rr.busy;
    rr.exposed_comm = length(m) - overlap(c, m);
    const auto d = merged(std::move(dp[k]));
    rr.exposed_dp = length(d) - overlap(c, d);
    r.exposed_dp = max(r.exposed_dp, rr.exposed_dp);
    rr.bubble = rr.idle - rr.exposed_comm;
    rr.wall = wall_breakdown(k < g.instr_part.size() ? g.instr_part[k] : std::vector<WallPart>{}, std::move(spans[k]),
                             r.step);
    r.bubble = max(r.bubble, rr.bubble);
    r.exposed_comm = max(r.exposed_comm, rr.exposed_comm);
    r.compute_busy = max(r.compute_busy, rr.busy);
    for (std::size_t p = 0; p < kStepPhaseCount; ++p) r.phase_time[p] = max(r.phase_time[p], rr.by_phase[p]);
  }
  r.links = link_use(run, links, r.step);
  return r;
}

}  // namespace deepsim

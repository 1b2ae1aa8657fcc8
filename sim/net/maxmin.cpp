// Progressive filling for max-min fairness; the maths is in maxmin.h.
#include "sim/net/maxmin.h"

#include <algorithm>

#include "sim/core/error.h"

namespace deepsim {

void MaxMinProblem::clear() {
  capacity_bytes_per_s_.clear();
  flow_begin_.assign(1, 0);
  flow_links_.clear();
}

std::uint32_t MaxMinProblem::add_link(double capacity_bytes_per_s) {
  DEEPSIM_ASSERT(capacity_bytes_per_s >= 0.0, "negative link capacity");
  capacity_bytes_per_s_.push_back(capacity_bytes_per_s);
  return static_cast<std::uint32_t>(capacity_bytes_per_s_.size() - 1);
}

std::uint32_t MaxMinProblem::begin_flow() {
  flow_begin_.push_back(static_cast<std::uint32_t>(flow_links_.size()));
  return static_cast<std::uint32_t>(flow_begin_.size() - 2);
}

void MaxMinProblem::extend_last_flow(std::uint32_t link) {
  DEEPSIM_ASSERT(flow_begin_.size() > 1, "extend_last_flow() before any flow");
  DEEPSIM_ASSERT(link < capacity_bytes_per_s_.size(), "flow crosses an unknown link");
  flow_links_.push_back(link);
  flow_begin_.back() = static_cast<std::uint32_t>(flow_links_.size());
}

std::uint32_t MaxMinProblem::add_flow(std::span<const std::uint32_t> links) {
  DEEPSIM_ASSERT(!links.empty(), "a flow must cross at least one link");
  const std::uint32_t f = begin_flow();
  for (const std::uint32_t l : links) extend_last_flow(l);
  return f;
}

namespace {

// Min-heap order on (share, link): the smallest share first, ties by link index for determinism.
struct LaterShare {
  template <class S>
  bool operator()(const S& a, const S& b) const {
    return a.share_bytes_per_s != b.share_bytes_per_s ? a.share_bytes_per_s > b.share_bytes_per_s : a.link > b.link;
  }
};

}  // namespace

void MaxMinSolver::build_link_index(const MaxMinProblem& problem) {
  const std::size_t links = problem.link_count();
  const std::size_t flows = problem.flow_count();
  link_begin_.assign(links + 1, 0);
  for (std::uint32_t f = 0; f < flows; ++f) {
    for (const std::uint32_t l : problem.links_of(f)) ++link_begin_[l + 1];
  }
  for (std::size_t l = 0; l < links; ++l) link_begin_[l + 1] += link_begin_[l];
  link_flows_.resize(link_begin_[links]);
  cursor_.assign(link_begin_.begin(), link_begin_.end() - 1);
  for (std::uint32_t f = 0; f < flows; ++f) {
    for (const std::uint32_t l : problem.links_of(f)) link_flows_[cursor_[l]++] = f;
  }
}

// Freezes every unfrozen flow of the bottleneck `link` at its fair share. The other links they cross
// now have a higher share; their heap entries become underestimates, refreshed when they surface.
void MaxMinSolver::freeze_bottleneck(const MaxMinProblem& problem, std::uint32_t link,
                                     std::vector<double>& rate_bytes_per_s) {
  const double share = remaining_bytes_per_s_[link] / unfrozen_[link];
  for (std::uint32_t i = link_begin_[link]; i < link_begin_[link + 1]; ++i) {
    const std::uint32_t f = link_flows_[i];
    if (frozen_[f]) continue;
    frozen_[f] = 1;
    rate_bytes_per_s[f] = share;
    for (const std::uint32_t l : problem.links_of(f)) {
      // Clamp: rounding must not leave a link with a sliver of negative capacity.
      remaining_bytes_per_s_[l] = std::max(0.0, remaining_bytes_per_s_[l] - share);
      --unfrozen_[l];
      outdated_[l] = 1;
    }
  }
}

void MaxMinSolver::solve(const MaxMinProblem& problem, std::vector<double>& rate_bytes_per_s) {
  const std::size_t links = problem.link_count();
  const std::size_t flows = problem.flow_count();
  rate_bytes_per_s.assign(flows, 0.0);
  if (flows == 0) return;
  build_link_index(problem);
  remaining_bytes_per_s_.resize(links);
  unfrozen_.resize(links);
  outdated_.assign(links, 0);
  frozen_.assign(flows, 0);
  heap_.clear();
  for (std::uint32_t l = 0; l < links; ++l) {
    remaining_bytes_per_s_[l] = problem.capacity_bytes_per_s(l);
    unfrozen_[l] = link_begin_[l + 1] - link_begin_[l];
    if (unfrozen_[l] > 0) heap_.push_back(Share{remaining_bytes_per_s_[l] / unfrozen_[l], l});
  }
  std::make_heap(heap_.begin(), heap_.end(), LaterShare{});
  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), LaterShare{});
    const std::uint32_t l = heap_.back().link;
    if (unfrozen_[l] == 0) {  // all its flows froze elsewhere
      heap_.pop_back();
      continue;
    }
    if (outdated_[l]) {  // refresh the underestimate and put it back
      outdated_[l] = 0;
      heap_.back().share_bytes_per_s = remaining_bytes_per_s_[l] / unfrozen_[l];
      std::push_heap(heap_.begin(), heap_.end(), LaterShare{});
      continue;
    }
    heap_.pop_back();
    freeze_bottleneck(problem, l, rate_bytes_per_s);
  }
  DEEPSIM_ASSERT(std::all_of(frozen_.begin(), frozen_.end(), [](std::uint8_t x) { return x != 0; }),
                 "max-min left a flow without a rate (a flow crossing no link?)");
}

std::vector<double> solve_maxmin(const MaxMinProblem& problem) {
  MaxMinSolver solver;
  std::vector<double> rates;
  solver.solve(problem, rates);
  return rates;
}

}  // namespace deepsim

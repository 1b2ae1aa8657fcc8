// Progressive filling for max-min fairness; the maths is in maxmin.h.
#include "sim/net/maxmin.h"

#include <algorithm>

#include "sim/core/error.h"

namespace deepsim {

void MaxMinProblem::clear() {
  capacity_bytes_per_s_.clear();
  tie_key_.clear();
  flow_begin_.assign(1, 0);
  flow_links_.clear();
}

std::uint32_t MaxMinProblem::add_link(double capacity_bytes_per_s) {
  return add_link(capacity_bytes_per_s, static_cast<std::uint32_t>(capacity_bytes_per_s_.size()));
}

std::uint32_t MaxMinProblem::add_link(double capacity_bytes_per_s, std::uint32_t tie_key) {
  DEEPSIM_ASSERT(capacity_bytes_per_s >= 0.0, "negative link capacity");
  capacity_bytes_per_s_.push_back(capacity_bytes_per_s);
  tie_key_.push_back(tie_key);
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

constexpr std::uint32_t kUnfrozen = ~std::uint32_t{0};

// Min-heap order on (share, tie key): the smallest share first, ties by the key for determinism. A
// link can have a stale entry besides its live one (see push_if_lower); they compare equal only if
// interchangeable, so the order stays a function of the entries' values.
struct LaterShare {
  template <class S>
  bool operator()(const S& a, const S& b) const {
    if (a.share_bytes_per_s != b.share_bytes_per_s) return a.share_bytes_per_s > b.share_bytes_per_s;
    return a.tie_key != b.tie_key ? a.tie_key > b.tie_key : a.link > b.link;
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

// Freezes every unfrozen flow of the bottleneck `link` at its fair share, then brings the links they
// cross up to date: their history entry for this step, and their share. A share that rose leaves the
// heap entry an underestimate, refreshed when it surfaces; one that came out lower (floating point)
// gets a fresh entry now, so the heap's top stays the exact argmin.
void MaxMinSolver::freeze_bottleneck(const MaxMinProblem& problem, std::uint32_t link, std::uint32_t step,
                                     std::vector<double>& rate_bytes_per_s) {
  const double share = share_bytes_per_s_[link];
  touched_.clear();
  for (std::uint32_t i = link_begin_[link]; i < link_begin_[link + 1]; ++i) {
    const std::uint32_t f = link_flows_[i];
    if (freeze_step_[f] != kUnfrozen) continue;
    freeze_step_[f] = step;
    freeze_order_.push_back(f);
    rate_bytes_per_s[f] = share;
    for (const std::uint32_t l : problem.links_of(f)) {
      // Clamp: rounding must not leave a link with a sliver of negative capacity.
      remaining_bytes_per_s_[l] = std::max(0.0, remaining_bytes_per_s_[l] - share);
      --unfrozen_[l];
      if (touched_in_[l] != step + 1) {
        touched_in_[l] = step + 1;
        touched_.push_back(l);
      }
    }
  }
  for (const std::uint32_t l : touched_) {
    history_.push_back(MaxMinRemaining{l, step, remaining_bytes_per_s_[l]});
    if (unfrozen_[l] == 0) continue;
    const double now = remaining_bytes_per_s_[l] / unfrozen_[l];
    share_bytes_per_s_[l] = now;
    if (now < entry_bytes_per_s_[l]) {
      entry_bytes_per_s_[l] = now;
      heap_.push_back(Share{now, problem.tie_key(l), l});
      std::push_heap(heap_.begin(), heap_.end(), LaterShare{});
    }
  }
}

void MaxMinSolver::solve(const MaxMinProblem& problem, std::vector<double>& rate_bytes_per_s) {
  const std::size_t links = problem.link_count();
  const std::size_t flows = problem.flow_count();
  rate_bytes_per_s.assign(flows, 0.0);
  freeze_step_.assign(flows, kUnfrozen);
  freeze_order_.clear();
  history_.clear();
  if (flows == 0) return;
  build_link_index(problem);
  remaining_bytes_per_s_.resize(links);
  unfrozen_.resize(links);
  share_bytes_per_s_.resize(links);
  entry_bytes_per_s_.resize(links);
  touched_in_.assign(links, 0);
  heap_.clear();
  for (std::uint32_t l = 0; l < links; ++l) {
    remaining_bytes_per_s_[l] = problem.capacity_bytes_per_s(l);
    unfrozen_[l] = link_begin_[l + 1] - link_begin_[l];
    if (unfrozen_[l] == 0) continue;
    share_bytes_per_s_[l] = entry_bytes_per_s_[l] = remaining_bytes_per_s_[l] / unfrozen_[l];
    heap_.push_back(Share{share_bytes_per_s_[l], problem.tie_key(l), l});
  }
  std::make_heap(heap_.begin(), heap_.end(), LaterShare{});
  std::uint32_t step = 0;
  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), LaterShare{});
    Share& top = heap_.back();
    const std::uint32_t l = top.link;
    if (unfrozen_[l] == 0 || top.share_bytes_per_s != entry_bytes_per_s_[l]) {  // done, or a stale entry
      heap_.pop_back();
      continue;
    }
    if (share_bytes_per_s_[l] != top.share_bytes_per_s) {  // the share rose: refresh and put it back
      top.share_bytes_per_s = entry_bytes_per_s_[l] = share_bytes_per_s_[l];
      std::push_heap(heap_.begin(), heap_.end(), LaterShare{});
      continue;
    }
    heap_.pop_back();
    freeze_bottleneck(problem, l, step++, rate_bytes_per_s);
  }
  DEEPSIM_ASSERT(std::all_of(freeze_step_.begin(), freeze_step_.end(), [](std::uint32_t s) { return s != kUnfrozen; }),
                 "max-min left a flow without a rate (a flow crossing no link?)");
}

std::vector<double> solve_maxmin(const MaxMinProblem& problem) {
  MaxMinSolver solver;
  std::vector<double> rates;
  solver.solve(problem, rates);
  return rates;
}

}  // namespace deepsim

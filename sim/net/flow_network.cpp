// FlowNetwork: bookkeeping of active flows per link, and the incremental re-solve of touched components.
#include "sim/net/flow_network.h"

#include <algorithm>

#include "sim/core/error.h"
#include "sim/engine/rounding.h"

namespace deepsim {

namespace {
constexpr double kPsPerSecond = static_cast<double>(Time::kPerSecond);
}  // namespace

Time path_latency(const LinkTable& links, std::span<const LinkId> path) {
  Time total;
  for (const LinkId l : path) total += links[l].latency;
  return total;
}

FlowNetwork::FlowNetwork(const LinkTable& links, Time quantum, Resolve resolve)
    : links_(links), quantum_(quantum), resolve_(resolve), link_state_(links.size()), link_bytes_(links.size(), 0.0) {
  DEEPSIM_ASSERT(quantum >= Time::zero(), "negative flow quantum");
}

Time FlowNetwork::quantize(Time finish) const {
  if (quantum_ == Time::zero() || finish == Time::max()) return finish;
  const Time::rep q = quantum_.count_ps();
  const Time::rep units = finish.count_ps() / q + (finish.count_ps() % q != 0 ? 1 : 0);
  if (units > Time::max().count_ps() / q) throw TimeOverflow();  // a finite flow past the clock's range
  return Time::ps(units * q);
}

FlowNetwork::Handle FlowNetwork::start(Time now, std::span<const LinkId> path, Bytes bytes) {
  DEEPSIM_ASSERT(!path.empty(), "a network flow needs at least one link");
  DEEPSIM_ASSERT(bytes.value() > 0.0, "a network flow needs bytes to move");
  Handle h = 0;
  if (free_.empty()) {
    h = static_cast<Handle>(flows_.size());
    flows_.emplace_back();
  } else {
    h = free_.back();
    free_.pop_back();
  }
  Flow& f = flows_[h];
  f.path = path;
  f.slot.resize(path.size());
  f.total_bytes = f.remaining_bytes = bytes.value();
  f.rate_bytes_per_s = 0.0;
  f.updated = now;
  f.finish = Time::max();
  f.step = 0;  // finished before any settle (not the engine's way), it makes its component resolve in full
  f.active = true;
  f.fresh = true;
  for (std::size_t i = 0; i < path.size(); ++i) {
    DEEPSIM_ASSERT(path[i].valid() && path[i].value() < link_state_.size(), "flow path has an unknown link");
    LinkState& ls = link_state_[path[i].value()];
    if (ls.flows.empty()) ls.busy_since = now;
    f.slot[i] = static_cast<std::uint32_t>(ls.flows.size());
    ls.flows.push_back(h);
    mark_dirty(path[i]);
  }
  ++active_count_;
  return h;
}

void FlowNetwork::finish(Time now, Handle h) {
  DEEPSIM_ASSERT(active(h), "finish() of a flow that is not active");
  Flow& f = flows_[h];
  for (std::size_t i = 0; i < f.path.size(); ++i) {
    const LinkId l = f.path[i];
    LinkState& ls = link_state_[l.value()];
    const std::uint32_t hole = f.slot[i];
    const auto last = static_cast<std::uint32_t>(ls.flows.size() - 1);
    if (hole != last) {
      // Move the last flow of the list into the hole and repoint its slot for this link.
      const Handle moved = ls.flows[last];
      ls.flows[hole] = moved;
      Flow& g = flows_[moved];
      for (std::size_t j = 0; j < g.path.size(); ++j) {
        if (g.path[j] == l && g.slot[j] == last) {
          g.slot[j] = hole;
          break;
        }
      }
    }
    ls.flows.pop_back();
    ls.removed_step = std::min(ls.removed_step, f.step);
    if (ls.flows.empty()) ls.busy_total += now - ls.busy_since;
    link_bytes_[l.value()] += f.total_bytes;
    mark_dirty(l);
  }
  f.active = false;
  f.remaining_bytes = 0.0;
  f.rate_bytes_per_s = 0.0;
  ++f.version;  // a recycled handle must not match completions scheduled for this flow
  free_.push_back(h);
  --active_count_;
}

void FlowNetwork::mark_dirty(LinkId l) {
  LinkState& ls = link_state_[l.value()];
  if (ls.dirty) return;
  ls.dirty = true;
  dirty_.push_back(l.value());
}

// Breadth-first search over the bipartite link/flow graph from the dirty links. Visiting in list
// order keeps the problem and the order of the updates identical from run to run. Each dirty link
// starts a label; labels that meet (one component reached from two seeds) are merged.
void FlowNetwork::collect_components() {
  ++epoch_;
  comp_flows_.clear();
  comp_links_.clear();
  labels_.clear();
  for (const std::uint32_t l : dirty_) {
    LinkState& ls = link_state_[l];
    ls.dirty = false;
    if (ls.mark == epoch_) continue;
    ls.mark = epoch_;
    ls.label = static_cast<std::uint32_t>(labels_.size());
    labels_.push_back(ls.label);
    comp_links_.push_back(l);
  }
  dirty_.clear();
  for (std::size_t i = 0; i < comp_links_.size(); ++i) {
    const std::uint32_t label = link_state_[comp_links_[i]].label;
    for (const Handle h : link_state_[comp_links_[i]].flows) {
      Flow& f = flows_[h];
      if (f.mark == epoch_) {
        if (f.label != label) unite(f.label, label);
        continue;
      }
      f.mark = epoch_;
      f.label = label;
      comp_flows_.push_back(h);
      for (const LinkId l : f.path) {
        LinkState& ls = link_state_[l.value()];
        if (ls.mark == epoch_) {
          if (ls.label != label) unite(ls.label, label);
          continue;
        }
        ls.mark = epoch_;
        ls.label = label;
        comp_links_.push_back(l.value());
      }
    }
  }
  // Flatten: a parent has a smaller label than its child, so in label order each parent is a root.
  for (std::uint32_t i = 0; i < labels_.size(); ++i) labels_[i] = labels_[labels_[i]];
}

std::uint32_t FlowNetwork::root(std::uint32_t label) {
  while (labels_[label] != label) label = labels_[label] = labels_[labels_[label]];
  return label;
}

void FlowNetwork::unite(std::uint32_t a, std::uint32_t b) {
  a = root(a);
  b = root(b);
  if (a != b) labels_[std::max(a, b)] = std::min(a, b);
}

// Decides per component (labels_ now maps each label to its component's root): a full solve if it gained a flow (or with Resolve::kFull), else a resumption
// from its earliest removed flow's step. (A part of a component that a removal split off may resume
// from a later step than the rest: the steps before that of its own removed flows only involved its
// own links, so the argument of maxmin.h holds for it alone.)
void FlowNetwork::plan_components() {
  components_.assign(labels_.size(), Component{});
  for (const Handle h : comp_flows_) {
    if (flows_[h].fresh || resolve_ == Resolve::kFull) components_[labels_[flows_[h].label]].fresh = true;
  }
  for (const std::uint32_t l : comp_links_) {
    LinkState& ls = link_state_[l];
    Component& c = components_[labels_[ls.label]];
    c.from = std::min(c.from, ls.removed_step);
    ls.removed_step = kNoRemoval;
  }
  for (Component& c : components_) {
    if (c.fresh) c.from = 0;
  }
}

// Index of global link `l` in problem_, added on first use with the capacity its component's solve
// left before step `from` (the link's whole capacity when no earlier step touched it). The record of
// the steps from `from` on is dropped: the solve rewrites them. Records of a link left out of the
// problem may outlast their steps, but only with steps at or after the `from` that left it out, and a
// later resumption that reads the link starts earlier (from a flow that froze before), so drops them.
std::uint32_t FlowNetwork::local_link(std::uint32_t l, std::uint64_t from) {
  LinkState& ls = link_state_[l];
  if (ls.problem_mark == epoch_) return ls.local;
  ls.problem_mark = epoch_;
  while (!ls.history.empty() && ls.history.back().step >= from) ls.history.pop_back();
  const double capacity = ls.history.empty() ? links_[LinkId(l)].capacity.bytes_per_s() : ls.history.back().bytes_per_s;
  ls.local = problem_.add_link(capacity, l);
  problem_links_.push_back(l);
  problem_from_.push_back(from);
  return ls.local;
}

// The flows to solve: all of a component solved from scratch, and of a resumed one those that froze
// at its `from` step or later.
void FlowNetwork::build_problem() {
  problem_.clear();
  solved_.clear();
  problem_links_.clear();
  problem_from_.clear();
  for (std::size_t i = 0; i < comp_flows_.size(); ++i) {
    const Flow& f = flows_[comp_flows_[i]];
    const std::uint64_t from = components_[labels_[f.label]].from;
    if (f.step < from) continue;
    solved_.push_back(static_cast<std::uint32_t>(i));
    problem_.begin_flow();
    for (const LinkId l : f.path) problem_.extend_last_flow(local_link(l.value(), from));
  }
}

// Appends the solve's steps to the links' records. Step j of a component resumed from `from` becomes
// from + j: after every step it kept, and in the solve's order.
void FlowNetwork::record_history() {
  for (const MaxMinRemaining& r : solver_.history()) {
    link_state_[problem_links_[r.link]].history.push_back(
        Remaining{problem_from_[r.link] + r.step, r.remaining_bytes_per_s});
  }
}

void FlowNetwork::drain_to(Flow& f, Time now) const {
  const double moved = f.rate_bytes_per_s * static_cast<double>((now - f.updated).count_ps()) / kPsPerSecond;
  f.remaining_bytes = std::max(0.0, f.remaining_bytes - moved);
  f.updated = now;
}

void FlowNetwork::solve_components(Time now, std::vector<Update>& updates) {
  for (const Handle h : comp_flows_) drain_to(flows_[h], now);
  plan_components();
  build_problem();
  if (problem_.flow_count() == 0) return;  // only removals, all of them above every kept flow
  solver_.solve(problem_, rates_);
  record_history();
  for (std::size_t i = 0; i < solved_.size(); ++i) {
    const Handle h = comp_flows_[solved_[i]];
    Flow& f = flows_[h];
    f.step = components_[labels_[f.label]].from + solver_.freeze_step()[i];
    f.fresh = false;
    if (rates_[i] == f.rate_bytes_per_s) continue;  // same rate: the scheduled finish still holds
    f.rate_bytes_per_s = rates_[i];
    const Time finish =
        rates_[i] > 0.0 ? quantize(finish_after(now, f.remaining_bytes * kPsPerSecond / rates_[i])) : Time::max();
    if (finish == f.finish) continue;
    f.finish = finish;
    ++f.version;
    updates.push_back(Update{h, finish, f.version});
  }
  ++solves_;
  flows_resolved_ += solved_.size();
}

void FlowNetwork::settle(Time now, std::vector<Update>& updates) {
  if (dirty_.empty()) return;
  collect_components();
  if (comp_flows_.empty()) return;  // only finishes, and they left their links empty
  solve_components(now, updates);
}

std::vector<Time> FlowNetwork::link_busy(Time now) const {
  std::vector<Time> busy(link_state_.size());
  for (std::size_t l = 0; l < link_state_.size(); ++l) {
    const LinkState& ls = link_state_[l];
    busy[l] = ls.busy_total + (ls.flows.empty() ? Time::zero() : now - ls.busy_since);
  }
  return busy;
}

}  // namespace deepsim

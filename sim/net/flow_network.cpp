// FlowNetwork: bookkeeping of active flows per link and per group, the solve of new components, and
// the resumption of groups that lost flows.
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
  f.step = 0;
  f.group = kNoGroup;
  f.active = true;
  for (std::size_t i = 0; i < path.size(); ++i) {
    DEEPSIM_ASSERT(path[i].valid() && path[i].value() < link_state_.size(), "flow path has an unknown link");
    LinkState& ls = link_state_[path[i].value()];
    if (ls.flows.empty()) ls.busy_since = now;
    f.slot[i] = static_cast<std::uint32_t>(ls.flows.size());
    ls.flows.push_back(h);
  }
  started_.push_back(h);
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
    if (ls.flows.empty()) ls.busy_total += now - ls.busy_since;
    link_bytes_[l.value()] += f.total_bytes;
  }
  if (f.group != kNoGroup) {  // else it never had a rate, and the others never saw it
    Group& g = groups_[f.group];
    g.from = std::min(g.from, resolve_ == Resolve::kFull ? 0 : f.step);
    --g.live;
    touch(f.group);
  }
  f.active = false;
  f.group = kNoGroup;
  f.remaining_bytes = 0.0;
  f.rate_bytes_per_s = 0.0;
  ++f.version;  // a recycled handle must not match completions scheduled for this flow
  free_.push_back(h);
  --active_count_;
}

std::uint32_t FlowNetwork::new_group() {
  if (free_groups_.empty()) {
    groups_.emplace_back();
    return static_cast<std::uint32_t>(groups_.size() - 1);
  }
  const std::uint32_t g = free_groups_.back();
  free_groups_.pop_back();
  return g;
}

void FlowNetwork::touch(std::uint32_t group) {
  Group& g = groups_[group];
  if (g.listed) return;
  g.listed = true;
  touched_.push_back(group);
}

// Moves `f` to `group`. Its entry in the old group stays behind and no longer counts there.
void FlowNetwork::join(Flow& f, std::uint32_t group) {
  if (f.group != kNoGroup) {
    --groups_[f.group].live;
    touch(f.group);  // to be freed if that was its last flow
  }
  f.group = group;
  ++groups_[group].live;
}

// Breadth-first search over the bipartite link/flow graph from the links of the flows started since
// the last settle: their components, to be solved from scratch, one after the other (each its own
// group, so that a later finish resumes only its own). Visiting in list order keeps the problem and
// the order of the updates identical from run to run.
void FlowNetwork::collect_new_components() {
  ++epoch_;
  comp_flows_.clear();
  comp_links_.clear();
  comp_begin_.clear();
  std::size_t next = 0;  // first link of comp_links_ not yet expanded
  for (const Handle h : started_) {
    if (!flows_[h].active) continue;
    for (const LinkId seed : flows_[h].path) {
      LinkState& s = link_state_[seed.value()];
      if (s.mark == epoch_) continue;
      s.mark = epoch_;
      comp_links_.push_back(seed.value());
      comp_begin_.push_back(static_cast<std::uint32_t>(comp_flows_.size()));
      for (; next < comp_links_.size(); ++next) {
        for (const Handle g : link_state_[comp_links_[next]].flows) {
          Flow& f = flows_[g];
          if (f.mark == epoch_) continue;
          f.mark = epoch_;
          comp_flows_.push_back(g);
          for (const LinkId l : f.path) {
            LinkState& ls = link_state_[l.value()];
            if (ls.mark == epoch_) continue;
            ls.mark = epoch_;
            comp_links_.push_back(l.value());
          }
        }
      }
    }
  }
  comp_begin_.push_back(static_cast<std::uint32_t>(comp_flows_.size()));
  started_.clear();
}

// Index of global link `l` in problem_, added on first use with the capacity its group's solve left
// before step `from` (the link's whole capacity when no earlier step touched it). The record of the
// steps from `from` on is dropped: the solve rewrites them. Records of a link left out of the problem
// may outlast their steps, but only with steps at or after the `from` that left it out, and a later
// resumption that reads the link starts earlier (from a flow that froze before), so drops them.
// `record`: whether the solve's steps are recorded for this link (its group is resumable).
std::uint32_t FlowNetwork::local_link(std::uint32_t l, std::uint64_t from, bool record) {
  LinkState& ls = link_state_[l];
  if (ls.problem_mark == epoch_) return ls.local;
  ls.problem_mark = epoch_;
  double capacity = links_[LinkId(l)].capacity.bytes_per_s();
  if (from == 0) {
    ls.history.clear();  // without reading the record: a solve from scratch touches only the link
  } else {
    while (!ls.history.empty() && ls.history.back().step >= from) ls.history.pop_back();
    if (!ls.history.empty()) capacity = ls.history.back().bytes_per_s;
  }
  ls.local = problem_.add_link(capacity, l);
  problem_links_.push_back(l);
  problem_from_.push_back(record ? from : kNoRemoval);
  return ls.local;
}

bool FlowNetwork::resumable(std::size_t flows) const {
  switch (resolve_) {
    case Resolve::kResume: return flows >= kRecordFrom;
    case Resolve::kResumeAll: return true;
    case Resolve::kFull: return false;
  }
  return false;
}

void FlowNetwork::add_to_problem(Handle h, std::uint32_t group, std::uint64_t from) {
  solved_.push_back(Solved{h, group, from});
  problem_.begin_flow();
  const bool record = groups_[group].recorded;
  for (const LinkId l : flows_[h].path) problem_.extend_last_flow(local_link(l.value(), from, record));
}

// The flows to solve: the components of new flows from scratch, each a new group; then each group
// that lost flows, resumed from its earliest removed flow's step (maxmin.h, "Resumption"): its members
// that froze at that step or later. A part of a group that a removal split off is resumed with the
// rest; resuming from an earlier step than needed is still exact. A group too small to keep a record
// (kRecordFrom) is solved whole.
void FlowNetwork::build_problem() {
  problem_.clear();
  solved_.clear();
  problem_links_.clear();
  problem_from_.clear();
  if (!started_.empty()) {
    collect_new_components();
    for (std::size_t c = 0; c + 1 < comp_begin_.size(); ++c) {
      const std::uint32_t g = new_group();
      groups_[g].recorded = resumable(comp_begin_[c + 1] - comp_begin_[c]);
      for (std::uint32_t i = comp_begin_[c]; i < comp_begin_[c + 1]; ++i) {
        join(flows_[comp_flows_[i]], g);
        add_to_problem(comp_flows_[i], g, 0);
      }
    }
  } else {
    ++epoch_;
  }
  for (const std::uint32_t gi : touched_) {
    Group& g = groups_[gi];
    if (g.from == kNoRemoval) continue;  // only lost flows to a new group
    if (!g.recorded) g.from = 0;  // nothing to resume from: solve it whole
    g.recorded = resumable(g.live);
    const auto first = std::lower_bound(g.members.begin(), g.members.end(), g.from,
                                        [](const Member& m, std::uint64_t from) { return m.step < from; });
    for (auto it = first; it != g.members.end(); ++it) {
      const Flow& f = flows_[it->flow];
      if (f.active && f.group == gi) add_to_problem(it->flow, gi, g.from);
    }
    g.members.erase(first, g.members.end());  // the solve appends them again, in their new order
  }
}

// Rates, finish times and updates of the solved flows (in problem order), then their places in their
// groups: step j of a group resumed from `from` becomes from + j, after every step it kept.
void FlowNetwork::apply_rates(Time now, std::vector<Update>& updates) {
  for (const MaxMinRemaining& r : solver_.history()) {
    const std::uint64_t from = problem_from_[r.link];
    if (from != kNoRemoval) link_state_[problem_links_[r.link]].history.push_back(Remaining{from + r.step, r.remaining_bytes_per_s});
  }
  for (std::size_t i = 0; i < solved_.size(); ++i) {
    Flow& f = flows_[solved_[i].flow];
    f.step = solved_[i].from + solver_.freeze_step()[i];
    if (rates_[i] == f.rate_bytes_per_s) continue;  // same rate: the scheduled finish still holds
    drain_to(f, now);
    f.rate_bytes_per_s = rates_[i];
    const Time finish =
        rates_[i] > 0.0 ? quantize(finish_after(now, f.remaining_bytes * kPsPerSecond / rates_[i])) : Time::max();
    if (finish == f.finish) continue;
    f.finish = finish;
    ++f.version;
    updates.push_back(Update{solved_[i].flow, finish, f.version});
  }
  for (const std::uint32_t i : solver_.freeze_order()) {
    groups_[solved_[i].group].members.push_back(Member{flows_[solved_[i].flow].step, solved_[i].flow});
  }
}

void FlowNetwork::drain_to(Flow& f, Time now) const {
  const double moved = f.rate_bytes_per_s * static_cast<double>((now - f.updated).count_ps()) / kPsPerSecond;
  f.remaining_bytes = std::max(0.0, f.remaining_bytes - moved);
  f.updated = now;
}

void FlowNetwork::settle(Time now, std::vector<Update>& updates) {
  if (started_.empty() && touched_.empty()) return;
  build_problem();
  for (const std::uint32_t gi : touched_) {
    Group& g = groups_[gi];
    g.from = kNoRemoval;
    g.listed = false;
    if (g.live == 0) {
      g.members.clear();
      free_groups_.push_back(gi);
    }
  }
  touched_.clear();
  if (problem_.flow_count() == 0) return;  // only removals, all of them above every kept flow
  solver_.solve(problem_, rates_);
  apply_rates(now, updates);
  ++solves_;
  flows_resolved_ += solved_.size();
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

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

FlowNetwork::FlowNetwork(const LinkTable& links, Time quantum)
    : links_(links), quantum_(quantum), link_state_(links.size()), link_bytes_(links.size(), 0.0) {
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
  f.active = true;
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
// order keeps the problem, and so every floating-point sum, identical from run to run.
void FlowNetwork::collect_components() {
  ++epoch_;
  comp_flows_.clear();
  comp_links_.clear();
  for (const std::uint32_t l : dirty_) {
    link_state_[l].dirty = false;
    if (link_state_[l].mark == epoch_) continue;
    link_state_[l].mark = epoch_;
    comp_links_.push_back(l);
  }
  dirty_.clear();
  for (std::size_t i = 0; i < comp_links_.size(); ++i) {
    for (const Handle h : link_state_[comp_links_[i]].flows) {
      Flow& f = flows_[h];
      if (f.mark == epoch_) continue;
      f.mark = epoch_;
      comp_flows_.push_back(h);
      for (const LinkId l : f.path) {
        LinkState& ls = link_state_[l.value()];
        if (ls.mark == epoch_) continue;
        ls.mark = epoch_;
        comp_links_.push_back(l.value());
      }
    }
  }
}

void FlowNetwork::drain_to(Flow& f, Time now) const {
  const double moved = f.rate_bytes_per_s * static_cast<double>((now - f.updated).count_ps()) / kPsPerSecond;
  f.remaining_bytes = std::max(0.0, f.remaining_bytes - moved);
  f.updated = now;
}

void FlowNetwork::solve_components(Time now, std::vector<Update>& updates) {
  problem_.clear();
  for (const std::uint32_t l : comp_links_) {
    link_state_[l].local = problem_.add_link(links_[LinkId(l)].capacity.bytes_per_s());
  }
  for (const Handle h : comp_flows_) {
    Flow& f = flows_[h];
    drain_to(f, now);
    problem_.begin_flow();
    for (const LinkId l : f.path) problem_.extend_last_flow(link_state_[l.value()].local);
  }
  solver_.solve(problem_, rates_);
  for (std::size_t i = 0; i < comp_flows_.size(); ++i) {
    Flow& f = flows_[comp_flows_[i]];
    if (rates_[i] == f.rate_bytes_per_s) continue;  // same rate: the scheduled finish still holds
    f.rate_bytes_per_s = rates_[i];
    const Time finish =
        rates_[i] > 0.0 ? quantize(finish_after(now, f.remaining_bytes * kPsPerSecond / rates_[i])) : Time::max();
    if (finish == f.finish) continue;
    f.finish = finish;
    ++f.version;
    updates.push_back(Update{comp_flows_[i], finish, f.version});
  }
  ++solves_;
  flows_resolved_ += comp_flows_.size();
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

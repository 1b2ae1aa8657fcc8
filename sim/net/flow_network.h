// FlowNetwork: the flow-level network model. Each flow moves a number of bytes along a path of links;
// at every instant the active flows share the links max-min fairly (maxmin.h), and a flow's bytes drain
// at its rate until none are left:
//   remaining(t) = remaining(t0) - r_f * (t - t0)  between two rate changes t0 < t,
//   finish       = t0 + ceil(remaining(t0) / r_f)  rounded up to the picosecond (rounding.h).
// Rates change only when a flow starts or finishes. Callers batch the starts and finishes of one instant
// and then call settle(), which re-solves only the connected components of the link/flow graph that
// contain a started or finished flow (flows sharing a link, transitively); every other flow keeps its
// rate and finish time. A flow alone on its path therefore takes exactly size / min_l c_l.
// A component that only lost flows is resumed rather than solved again (maxmin.h, "Resumption"): its
// flows that froze before the first removed one keep their rates, and only the rest are re-solved,
// from the capacities the solve left at that step. Each link keeps that record (R_l after each step of
// its component's solve). The rates are those of a full re-solve, bit for bit (Resolve::kFull, kept as
// the reference for tests and benchmarks); the solver breaks ties by global link id so that the answer
// does not depend on how a settle numbers the component.
// Latency is not modelled here: the engine charges a flow's fixed latency (path_latency()) before it
// calls start(), so one flow alone takes latency + size / bandwidth.
// With a quantum q > 0, finish times round up further to a multiple of q (see RunOptions::flow_quantum).
// A flow whose rate is 0 (a zero-capacity link on its path) gets finish Time::max(): it never finishes,
// and the engine reports it rather than waiting for it.
// Left out, by design of a flow model: packets, queues, congestion control, slow start, retransmission.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/core/ids.h"
#include "sim/core/time.h"
#include "sim/core/units.h"
#include "sim/engine/flow_model.h"
#include "sim/net/link.h"
#include "sim/net/maxmin.h"

namespace deepsim {

// Sum of the per-hop latencies of a path: what a flow pays before its first byte arrives.
[[nodiscard]] Time path_latency(const LinkTable& links, std::span<const LinkId> path);

class FlowNetwork final : public FlowModel {
 public:
  // kResume re-solves a component that only lost flows from the first removed flow's freezing step on;
  // kFull solves every touched component from scratch. Both give the same rates, bit for bit.
  enum class Resolve { kResume, kFull };

  explicit FlowNetwork(const LinkTable& links, Time quantum = Time::zero(), Resolve resolve = Resolve::kResume);

  // Puts `bytes` (> 0) on `path` (non-empty) at `now`. The path is viewed, not copied: it must outlive
  // the flow. The new flow's rate is set by the next settle(now).
  [[nodiscard]] Handle start(Time now, std::span<const LinkId> path, Bytes bytes) override;
  // Removes a flow whose completion came. Its bytes are credited to every link of its path.
  void finish(Time now, Handle flow) override;
  // Re-solves the components touched by start()/finish() since the last settle and appends an Update
  // for each flow (new or old) whose finish time changed.
  void settle(Time now, std::vector<Update>& updates) override;
  [[nodiscard]] bool current(Handle f, std::uint32_t v) const override { return active(f) && flows_[f].version == v; }

  [[nodiscard]] bool active(Handle f) const { return f < flows_.size() && flows_[f].active; }
  [[nodiscard]] std::uint32_t version(Handle f) const { return flows_[f].version; }
  [[nodiscard]] Time finish_time(Handle f) const { return flows_[f].finish; }
  [[nodiscard]] Bandwidth rate(Handle f) const override { return Bandwidth::bytes_per_s(flows_[f].rate_bytes_per_s); }
  [[nodiscard]] std::size_t active_count() const { return active_count_; }

  [[nodiscard]] std::size_t link_count() const override { return link_state_.size(); }
  // Bytes carried per link by the flows finished so far (each finished flow counts its whole size).
  [[nodiscard]] std::vector<double> link_bytes() const override { return link_bytes_; }
  // Time each link carried at least one flow, up to `now`.
  [[nodiscard]] std::vector<Time> link_busy(Time now) const override;

  // Counters for benchmarks and docs: settles that solved something, and flows handed to the solver in
  // total (with kResume, only the part of a shrunk component above its first removed flow).
  [[nodiscard]] std::uint64_t solves() const { return solves_; }
  [[nodiscard]] std::uint64_t flows_resolved() const { return flows_resolved_; }

 private:
  struct Flow {
    std::span<const LinkId> path;
    std::vector<std::uint32_t> slot;  // position of this flow in each path link's flow list
    double total_bytes = 0;
    double remaining_bytes = 0;  // as of `updated`
    double rate_bytes_per_s = 0;
    Time updated;
    Time finish = Time::max();
    std::uint64_t step = 0;  // freezing step in its component's solve (maxmin.h)
    std::uint32_t version = 0;
    std::uint32_t mark = 0;  // component-search epoch
    std::uint32_t label = 0;  // component-search label (a seed, merged in labels_)
    bool active = false;
    bool fresh = false;  // started since the last settle: its component needs a full solve
  };
  struct Remaining {  // R_l after a freezing step of the link's component solve
    std::uint64_t step;
    double bytes_per_s;
  };
  struct LinkState {
    std::vector<Handle> flows;  // active flows crossing the link
    std::vector<Remaining> history;  // in step order
    Time busy_since;
    Time busy_total;
    std::uint64_t removed_step = kNoRemoval;  // earliest step of a flow finished here since the last settle
    std::uint32_t mark = 0;  // component-search epoch
    std::uint32_t label = 0;  // component-search label
    std::uint32_t problem_mark = 0;  // epoch in which `local` was set
    std::uint32_t local = 0;  // index in the max-min problem being built
    bool dirty = false;
  };
  // One component of a settle (keyed by its root label): solved from step `from` on; 0 is from scratch.
  struct Component {
    std::uint64_t from = kNoRemoval;
    bool fresh = false;
  };
  static constexpr std::uint64_t kNoRemoval = ~std::uint64_t{0};

  void mark_dirty(LinkId l);
  void collect_components();
  [[nodiscard]] std::uint32_t root(std::uint32_t label);
  void unite(std::uint32_t a, std::uint32_t b);
  void plan_components();
  std::uint32_t local_link(std::uint32_t l, std::uint64_t from);
  void build_problem();
  void record_history();
  void solve_components(Time now, std::vector<Update>& updates);
  void drain_to(Flow& f, Time now) const;

  [[nodiscard]] Time quantize(Time finish) const;

  const LinkTable& links_;
  Time quantum_;
  Resolve resolve_;
  std::vector<Flow> flows_;
  std::vector<Handle> free_;
  std::vector<LinkState> link_state_;
  std::vector<std::uint32_t> dirty_;
  std::vector<double> link_bytes_;
  std::size_t active_count_ = 0;
  std::uint32_t epoch_ = 0;
  // Scratch reused across settles.
  std::vector<Handle> comp_flows_;
  std::vector<std::uint32_t> comp_links_;
  std::vector<std::uint32_t> labels_;  // union-find parents of the search's labels
  std::vector<Component> components_;  // by root label
  std::vector<std::uint32_t> solved_;  // positions in comp_flows_ of the flows in problem_
  std::vector<std::uint32_t> problem_links_;  // global id of each link of problem_
  std::vector<std::uint64_t> problem_from_;  // the `from` of each link of problem_ (its component's)
  MaxMinProblem problem_;
  MaxMinSolver solver_;
  std::vector<double> rates_;
  std::uint64_t solves_ = 0;
  std::uint64_t flows_resolved_ = 0;
};

}  // namespace deepsim

// FlowNetwork: the flow-level network model. Each flow moves a number of bytes along a path of links;
// at every instant the active flows share the links max-min fairly (maxmin.h), and a flow's bytes drain
// at its rate until none are left:
//   remaining(t) = remaining(t0) - r_f * (t - t0)  between two rate changes t0 < t,
//   finish       = t0 + ceil(remaining(t0) / r_f)  rounded up to the picosecond (rounding.h).
// Rates change only when a flow starts or finishes. Callers batch the starts and finishes of one instant
// and then call settle(). New flows: their connected components of the link/flow graph (flows sharing
// a link, transitively) are solved from scratch, each becoming a *group*. Finished flows: the group they
// were in is resumed rather than solved again (maxmin.h, "Resumption"): its flows that froze before the
// first finished one keep their rates, and only the rest are re-solved, on the capacities the group's
// solve left at that step. Each link keeps that record (R_l after each step of its group's solve), and
// each group its flows in freezing order, so a resumption costs the flows it re-solves, not the group.
// Every other flow keeps its rate and finish time. A flow alone on its path takes exactly size / min_l c_l.
// The rates are those of a solve of all active flows from scratch, bit for bit (Resolve::kFull solves
// every group that lost a flow from scratch and is kept as the reference for tests and benchmarks): the
// solver breaks ties by global link id, so the answer does not depend on how a settle numbers links.
// A flow's bytes are drained only when its rate changes, as the formula above says, so the flows that
// keep their rate cost nothing at a settle.
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
  // kResume re-solves a group that lost flows from the first removed flow's freezing step on (groups
  // of kRecordFrom flows or more; smaller ones from scratch); kResumeAll does so for every group (tests:
  // small systems); kFull solves every group from scratch. All give the same rates, bit for bit.
  enum class Resolve { kResume, kResumeAll, kFull };

  explicit FlowNetwork(const LinkTable& links, Time quantum = Time::zero(), Resolve resolve = Resolve::kResume);

  // Puts `bytes` (> 0) on `path` (non-empty) at `now`. The path is viewed, not copied: it must outlive
  // the flow. The new flow's rate is set by the next settle(now).
  [[nodiscard]] Handle start(Time now, std::span<const LinkId> path, Bytes bytes) override;
  // Removes a flow whose completion came. Its bytes are credited to every link of its path.
  void finish(Time now, Handle flow) override;
  // Solves the components of the flows start()ed and resumes the groups of those finish()ed since the
  // last settle, and appends an Update for each flow (new or old) whose finish time changed.
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
  // total (of a group that lost flows, with kResume, only those above its first removed flow).
  [[nodiscard]] std::uint64_t solves() const { return solves_; }
  [[nodiscard]] std::uint64_t flows_resolved() const { return flows_resolved_; }

 private:
  static constexpr std::uint32_t kNoGroup = ~std::uint32_t{0};
  static constexpr std::uint64_t kNoRemoval = ~std::uint64_t{0};

  struct Flow {
    std::span<const LinkId> path;
    std::vector<std::uint32_t> slot;  // position of this flow in each path link's flow list
    double total_bytes = 0;
    double remaining_bytes = 0;  // as of `updated`, the last change of rate
    double rate_bytes_per_s = 0;
    Time updated;
    Time finish = Time::max();
    std::uint64_t step = 0;  // freezing step in its group's solve (maxmin.h)
    std::uint32_t group = kNoGroup;
    std::uint32_t version = 0;
    std::uint32_t mark = 0;  // component-search epoch
    bool active = false;
  };
  struct Remaining {  // R_l after a freezing step of the solve of the link's group
    std::uint64_t step;
    double bytes_per_s;
  };
  struct LinkState {
    std::vector<Handle> flows;  // active flows crossing the link
    std::vector<Remaining> history;  // in step order
    Time busy_since;
    Time busy_total;
    std::uint32_t mark = 0;  // component-search epoch
    std::uint32_t problem_mark = 0;  // epoch in which `local` was set
    std::uint32_t local = 0;  // index in the max-min problem being built
  };
  struct Member {
    std::uint64_t step;
    Handle flow;  // counts only while the flow is active and still in this group
  };
  // Flows solved together, a union of whole components (flows sharing a link are always in one
  // group), in freezing order. Resumed from `from` at the next settle when some of them finished.
  struct Group {
    std::vector<Member> members;
    std::uint64_t from = kNoRemoval;
    std::uint32_t live = 0;  // members that count
    bool listed = false;  // in touched_
    bool recorded = false;  // its links hold the record of its last solve, so it can be resumed
  };
  // Groups of fewer flows keep no record and are solved whole when they lose a flow: writing R_l after
  // every step costs more than resuming saves on a handful of flows, and the default step's
  // components (one or two flows, docs/performance.md) are all of that size.
  static constexpr std::uint32_t kRecordFrom = 64;
  struct Solved {  // a flow of problem_: its handle, group, and the step its group resumes from
    Handle flow;
    std::uint32_t group;
    std::uint64_t from;
  };

  void collect_new_components();
  [[nodiscard]] std::uint32_t new_group();
  void join(Flow& f, std::uint32_t group);
  void touch(std::uint32_t group);
  std::uint32_t local_link(std::uint32_t l, std::uint64_t from, bool record);
  [[nodiscard]] bool resumable(std::size_t flows) const;
  void add_to_problem(Handle h, std::uint32_t group, std::uint64_t from);
  void build_problem();
  void apply_rates(Time now, std::vector<Update>& updates);
  void drain_to(Flow& f, Time now) const;

  [[nodiscard]] Time quantize(Time finish) const;

  const LinkTable& links_;
  Time quantum_;
  Resolve resolve_;
  std::vector<Flow> flows_;
  std::vector<Handle> free_;
  std::vector<LinkState> link_state_;
  std::vector<double> link_bytes_;
  std::size_t active_count_ = 0;
  std::uint32_t epoch_ = 0;
  std::vector<Group> groups_;
  std::vector<std::uint32_t> free_groups_;
  std::vector<Handle> started_;  // since the last settle
  std::vector<std::uint32_t> touched_;  // groups that lost a flow since the last settle
  // Scratch reused across settles.
  std::vector<Handle> comp_flows_;
  std::vector<std::uint32_t> comp_links_;
  std::vector<std::uint32_t> comp_begin_;  // each component's first flow in comp_flows_, then the end
  std::vector<Solved> solved_;
  std::vector<std::uint32_t> problem_links_;  // global id of each link of problem_
  std::vector<std::uint64_t> problem_from_;  // the `from` of each link of problem_; kNoRemoval: no record
  MaxMinProblem problem_;
  MaxMinSolver solver_;
  std::vector<double> rates_;
  std::uint64_t solves_ = 0;
  std::uint64_t flows_resolved_ = 0;
};

}  // namespace deepsim

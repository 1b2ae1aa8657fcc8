// Max-min fair rate allocation by progressive filling (water-filling), and its resumption after flows
// are removed.
//
// Given links l with capacity c_l and flows f, each crossing a set of links P_f, find rates r_f with
//   sum_{f : l in P_f} r_f <= c_l  for every link l, and
//   no r_f can grow without shrinking some r_g <= r_f  (max-min fairness).
// The allocation is unique and progressive filling computes it, one freezing step j = 0, 1, ... at a time:
//   U  <- all flows (unfrozen);  R_l <- c_l;  n_l <- |{f in U : l in P_f}|
//   while U is not empty:
//     l* <- argmin_{l : n_l > 0} (R_l / n_l, key_l)   (the bottleneck; ties by the smaller tie key)
//     s  <- R_{l*} / n_{l*}                           (its fair share)
//     for every f in U crossing l*:  r_f <- s;  step_f <- j;  U <- U \ {f};
//                                    for every l in P_f:  R_l <- max(0, R_l - s);  n_l <- n_l - 1
// Freezing the flows of the bottleneck never lowers another link's share in exact arithmetic:
// s <= R_l / n_l, so (R_l - k s) / (n_l - k) >= R_l / n_l. That allows a cheap heap: one entry per link,
// and a link whose share rose keeps its old entry (an underestimate) until that entry reaches the top,
// where it is refreshed and pushed back. In floating point a share can come out an ulp lower instead;
// such a link gets a fresh entry at once, so every live entry stays at most its link's share and the
// bottleneck taken is the exact argmin above, a function of (R, n) alone. Resumption relies on that.
// Cost: O((L + sum_f |P_f| + refreshes) log L), refreshes <= sum_f |P_f|.
// A flow crossing a link twice counts twice there (it takes two shares of it), which is what it uses.
//
// Resumption. Remove a set D of flows and let k = min_{f in D} step_f. Every step j < k of the solve
// without D is the same as in the solve with D, bit for bit: the bottleneck of step j carries no flow
// of D (that flow would have frozen at j < k), links without D flows have the same (R, n), and links with
// D flows the same R over a smaller n, so a share at least as high (division is monotone): the argmin
// does not move, and the same flows freeze with the same arithmetic. So after a removal the flows with
// step_f < k keep their rates, and the rest are the solve of a smaller problem: the flows f not in D with
// step_f >= k, on links of capacity R_l(k), the R_l left after the steps before k, with the same tie keys.
// The solver records R_l after every step that changed it (history()), which gives R_l(k). The resumed
// rates are those of a solve from scratch, bit for bit. Additions can lower any level; they need a
// full solve. In progressive filling the steps come in (nearly) increasing share, so when the fastest
// flows finish first, as in an all-to-all, the smaller problem is the few flows above them.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace deepsim {

// A max-min problem in compact form: links 0..L-1, flows 0..F-1 given by the links they cross.
class MaxMinProblem {
 public:
  void clear();
  // Returns the new link's index. The tie key orders links of equal share (the smaller first); by
  // default the index. A caller that solves parts of one system separately gives each link the same
  // key in every part (FlowNetwork: the global link id), so that ties break the same way in each.
  std::uint32_t add_link(double capacity_bytes_per_s);
  std::uint32_t add_link(double capacity_bytes_per_s, std::uint32_t tie_key);
  // Returns the new flow's index. Every flow crosses at least one link.
  std::uint32_t add_flow(std::span<const std::uint32_t> links);
  // Appends one link to the flow added last (lets callers build paths without a temporary).
  void extend_last_flow(std::uint32_t link);
  // Opens an empty flow; extend it with extend_last_flow().
  std::uint32_t begin_flow();

  [[nodiscard]] std::size_t link_count() const { return capacity_bytes_per_s_.size(); }
  [[nodiscard]] std::size_t flow_count() const { return flow_begin_.size() - 1; }
  [[nodiscard]] double capacity_bytes_per_s(std::uint32_t link) const { return capacity_bytes_per_s_[link]; }
  [[nodiscard]] std::uint32_t tie_key(std::uint32_t link) const { return tie_key_[link]; }
  [[nodiscard]] std::span<const std::uint32_t> links_of(std::uint32_t flow) const {
    return std::span<const std::uint32_t>(flow_links_).subspan(flow_begin_[flow], flow_begin_[flow + 1] - flow_begin_[flow]);
  }

 private:
  std::vector<double> capacity_bytes_per_s_;
  std::vector<std::uint32_t> tie_key_;
  std::vector<std::uint32_t> flow_begin_{0};  // CSR offsets, flow_count() + 1 entries
  std::vector<std::uint32_t> flow_links_;
};

// R_l after a freezing step that changed it: one entry of MaxMinSolver::history().
struct MaxMinRemaining {
  std::uint32_t link;
  std::uint32_t step;
  double remaining_bytes_per_s;
};

// Solves MaxMinProblems, keeping its scratch buffers between calls (the flow model solves many).
class MaxMinSolver {
 public:
  // Fills rate_bytes_per_s[f] for every flow f of `problem`.
  void solve(const MaxMinProblem& problem, std::vector<double>& rate_bytes_per_s);

  // Of the last solve: the step at which each flow froze, the flows in the order they froze, and R_l
  // after every step that changed it, in step order (for resumption; see the top of this file).
  [[nodiscard]] const std::vector<std::uint32_t>& freeze_step() const { return freeze_step_; }
  [[nodiscard]] const std::vector<std::uint32_t>& freeze_order() const { return freeze_order_; }
  [[nodiscard]] const std::vector<MaxMinRemaining>& history() const { return history_; }

 private:
  struct Share {
    double share_bytes_per_s;
    std::uint32_t tie_key;
    std::uint32_t link;
  };
  void build_link_index(const MaxMinProblem& problem);
  void freeze_bottleneck(const MaxMinProblem& problem, std::uint32_t link, std::uint32_t step,
                         std::vector<double>& rate_bytes_per_s);

  std::vector<double> remaining_bytes_per_s_;  // R_l
  std::vector<std::uint32_t> unfrozen_;        // n_l
  std::vector<double> share_bytes_per_s_;      // R_l / n_l as of the link's last change
  std::vector<double> entry_bytes_per_s_;      // the share in the link's live heap entry
  std::vector<std::uint32_t> touched_in_;      // step + 1 of the link's last change (0: none yet)
  std::vector<std::uint32_t> touched_;         // links changed by the current step
  std::vector<std::uint32_t> link_begin_;      // CSR: flows crossing each link
  std::vector<std::uint32_t> link_flows_;
  std::vector<std::uint32_t> cursor_;
  std::vector<std::uint32_t> freeze_step_;     // per flow; kUnfrozen until it freezes
  std::vector<std::uint32_t> freeze_order_;
  std::vector<MaxMinRemaining> history_;
  std::vector<Share> heap_;
};

// Convenience for tests and one-off use.
[[nodiscard]] std::vector<double> solve_maxmin(const MaxMinProblem& problem);

}  // namespace deepsim

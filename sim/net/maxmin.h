// Max-min fair rate allocation by progressive filling (water-filling).
//
// Given links l with capacity c_l and flows f, each crossing a set of links P_f, find rates r_f with
//   sum_{f : l in P_f} r_f <= c_l  for every link l, and
//   no r_f can grow without shrinking some r_g <= r_f  (max-min fairness).
// The allocation is unique and progressive filling computes it:
//   U  <- all flows (unfrozen);  R_l <- c_l;  n_l <- |{f in U : l in P_f}|
//   while U is not empty:
//     l* <- argmin_{l : n_l > 0} R_l / n_l           (the bottleneck; ties by the smaller link index)
//     s  <- R_{l*} / n_{l*}                           (its fair share)
//     for every f in U crossing l*:  r_f <- s;  U <- U \ {f};
//                                    for every l in P_f:  R_l <- R_l - s;  n_l <- n_l - 1
// Freezing the flows of the bottleneck never lowers another link's share: s <= R_l / n_l for every l,
// so (R_l - k s) / (n_l - k) >= R_l / n_l. Shares therefore only rise, which allows a cheap heap: one
// entry per link, and a link whose share rose keeps its old entry (an underestimate) until that entry
// reaches the top, where it is refreshed and pushed back. An entry that reaches the top and is still
// current is the true minimum, since every other entry is at most its link's true share.
// Cost: O((L + sum_f |P_f| + refreshes) log L), refreshes <= sum_f |P_f|.
// A flow crossing a link twice counts twice there (it takes two shares of it), which is what it uses.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace deepsim {

// A max-min problem in compact form: links 0..L-1, flows 0..F-1 given by the links they cross.
class MaxMinProblem {
 public:
  void clear();
  // Returns the new link's index.
  std::uint32_t add_link(double capacity_bytes_per_s);
  // Returns the new flow's index. Every flow crosses at least one link.
  std::uint32_t add_flow(std::span<const std::uint32_t> links);
  // Appends one link to the flow added last (lets callers build paths without a temporary).
  void extend_last_flow(std::uint32_t link);
  // Opens an empty flow; extend it with extend_last_flow().
  std::uint32_t begin_flow();

  [[nodiscard]] std::size_t link_count() const { return capacity_bytes_per_s_.size(); }
  [[nodiscard]] std::size_t flow_count() const { return flow_begin_.size() - 1; }
  [[nodiscard]] double capacity_bytes_per_s(std::uint32_t link) const { return capacity_bytes_per_s_[link]; }
  [[nodiscard]] std::span<const std::uint32_t> links_of(std::uint32_t flow) const {
    return std::span<const std::uint32_t>(flow_links_).subspan(flow_begin_[flow], flow_begin_[flow + 1] - flow_begin_[flow]);
  }

 private:
  std::vector<double> capacity_bytes_per_s_;
  std::vector<std::uint32_t> flow_begin_{0};  // CSR offsets, flow_count() + 1 entries
  std::vector<std::uint32_t> flow_links_;
};

// Solves MaxMinProblems, keeping its scratch buffers between calls (the flow model solves many).
class MaxMinSolver {
 public:
  // Fills rate_bytes_per_s[f] for every flow f of `problem`.
  void solve(const MaxMinProblem& problem, std::vector<double>& rate_bytes_per_s);

 private:
  struct Share {
    double share_bytes_per_s;
    std::uint32_t link;
  };
  void build_link_index(const MaxMinProblem& problem);
  void freeze_bottleneck(const MaxMinProblem& problem, std::uint32_t link, std::vector<double>& rate_bytes_per_s);

  std::vector<double> remaining_bytes_per_s_;  // R_l
  std::vector<std::uint32_t> unfrozen_;        // n_l
  std::vector<std::uint8_t> outdated_;         // R_l / n_l rose since the link's heap entry was made
  std::vector<std::uint32_t> link_begin_;      // CSR: flows crossing each link
  std::vector<std::uint32_t> link_flows_;
  std::vector<std::uint32_t> cursor_;
  std::vector<std::uint8_t> frozen_;
  std::vector<Share> heap_;
};

// Convenience for tests and one-off use.
[[nodiscard]] std::vector<double> solve_maxmin(const MaxMinProblem& problem);

}  // namespace deepsim

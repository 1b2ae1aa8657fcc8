// The ranking a batch ends with (summary.md, summary.html): scenarios by cost and by wall-clock time, and
// the failures. Rows stream in; only the best `keep` of each ranking and the first `keep` failures are
// held, so a sweep of any size summarises in bounded memory. Ties go to the earlier scenario. A plan that
// does not fit in HBM is never ranked: it is listed apart (its time and cost are what it would take if
// it fit, which no cluster can run).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/report/batch_row.h"

namespace deepsim {

class BatchSummary {
 public:
  explicit BatchSummary(std::size_t keep = 20) : keep_(keep) {}
  void add(const BatchRow& row);

  [[nodiscard]] std::uint64_t total() const { return ok_ + failed_; }
  [[nodiscard]] std::uint64_t ok() const { return ok_; }
  [[nodiscard]] std::uint64_t failed() const { return failed_; }
  [[nodiscard]] std::uint64_t infeasible() const { return infeasible_; }
  [[nodiscard]] const std::vector<BatchRow>& does_not_fit() const { return does_not_fit_; }
  [[nodiscard]] const std::vector<BatchRow>& by_cost() const { return by_cost_; }
  [[nodiscard]] const std::vector<BatchRow>& by_days() const { return by_days_; }

  [[nodiscard]] std::string markdown(const std::string& title) const;
  [[nodiscard]] std::string html(const std::string& title) const;
  // "12 scenarios: 9 ok, 1 do not fit in HBM, 2 failed." (the HBM part only when there are such rows)
  [[nodiscard]] std::string counts_text() const;

 private:
  std::size_t keep_;
  std::uint64_t ok_ = 0, failed_ = 0, infeasible_ = 0;  // ok_ counts infeasible rows too
  std::vector<BatchRow> by_cost_, by_days_, failures_, does_not_fit_;
};

}  // namespace deepsim

// The ranking a batch ends with (summary.md, summary.html): scenarios by cost and by wall-clock time, and
// the failures. Rows stream in; only the best `keep` of each ranking and the first `keep` failures are
// held, so a sweep of any size summarises in bounded memory. Ties go to the earlier scenario.
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
  [[nodiscard]] const std::vector<BatchRow>& by_cost() const { return by_cost_; }
  [[nodiscard]] const std::vector<BatchRow>& by_days() const { return by_days_; }

  [[nodiscard]] std::string markdown(const std::string& title) const;
  [[nodiscard]] std::string html(const std::string& title) const;

 private:
  std::size_t keep_;
  std::uint64_t ok_ = 0, failed_ = 0;
  std::vector<BatchRow> by_cost_, by_days_, failures_;
};

}  // namespace deepsim

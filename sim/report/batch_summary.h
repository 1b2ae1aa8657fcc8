// The ranking a batch ends with (summary.md, summary.html): scenarios by cost and by wall-clock time, and
// the failures. Rows stream in; only the best `keep` of each ranking and the first `keep` failures are
// held, so a sweep of any size summarises in bounded memory. Ties go to the earlier scenario. A plan that
// does not fit in HBM is never ranked: it is listed apart (its time and cost are what it would take if
// it fit, which no cluster can run). summary.html opens with a chart of cost against days (sweep_chart.h)
// with the Pareto front marked (kept exactly, whatever the batch's size) and at most kChartPoints points;
// every row and point links to the scenario's report under runs/<hash>/ (report.html when the batch
// wrote the report set, `deepsim batch --reports`, else result.json). What the tables show and what the
// rankings sort by come from a BatchSummaryLayout: the training run's by default, the batch kind's
// otherwise (batch_kind.h; serving ranks by $ per 1M output tokens and TPOT).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/report/batch_row.h"

namespace deepsim {

// A kind's view of its rows in the summary: the table columns between "#" and "report", and the two
// figures it is ranked by (lower is better; the Pareto front is taken over both).
struct BatchSummaryLayout {
  std::vector<std::string> header;
  std::function<std::vector<std::string>(const BatchRow&)> cells;
  std::function<double(const BatchRow&)> cost, time;
  std::string front_title, cost_title, time_title;
  bool chart = true;  // summary.html's chart of cost against days (sweep_chart.h): training rows only
};

// The training run's layout: GPUs, plan, step, bubble, exposed comm, days, cost, $/M tokens, MFU, memory;
// ranked by the run's cost and wall-clock days.
[[nodiscard]] BatchSummaryLayout training_summary_layout();

class BatchSummary {
 public:
  static constexpr std::size_t kChartPoints = 2000;

  explicit BatchSummary(std::size_t keep = 20, bool reports = false, BatchSummaryLayout layout = training_summary_layout())
      : keep_(keep), reports_(reports), layout_(std::move(layout)) {}
  void add(const BatchRow& row);

  [[nodiscard]] std::uint64_t total() const { return ok_ + failed_; }
  [[nodiscard]] std::uint64_t ok() const { return ok_; }
  [[nodiscard]] std::uint64_t failed() const { return failed_; }
  [[nodiscard]] std::uint64_t infeasible() const { return infeasible_; }
  [[nodiscard]] const std::vector<BatchRow>& does_not_fit() const { return does_not_fit_; }
  [[nodiscard]] const std::vector<BatchRow>& by_cost() const { return by_cost_; }
  [[nodiscard]] const std::vector<BatchRow>& by_days() const { return by_days_; }
  // Plans that fit for which no other plan that fits is both no slower and no dearer (ties: the earlier
  // scenario), by days ascending (so cost descending).
  [[nodiscard]] const std::vector<BatchRow>& pareto() const { return pareto_; }
  // The link of a row's report, relative to the batch's directory ("" for a row without a result).
  [[nodiscard]] std::string report_href(const BatchRow& row) const;

  [[nodiscard]] std::string markdown(const std::string& title) const;
  [[nodiscard]] std::string html(const std::string& title) const;
  // "12 scenarios: 9 ok, 1 do not fit in HBM, 2 failed." (the HBM part only when there are such rows)
  [[nodiscard]] std::string counts_text() const;

 private:
  void add_to_front(const BatchRow& row);

  std::size_t keep_;
  bool reports_;
  BatchSummaryLayout layout_;
  std::uint64_t ok_ = 0, failed_ = 0, infeasible_ = 0;  // ok_ counts infeasible rows too
  std::vector<BatchRow> by_cost_, by_days_, failures_, does_not_fit_, pareto_;
  std::vector<BatchRow> chart_;  // the first kChartPoints rows that ran
};

}  // namespace deepsim

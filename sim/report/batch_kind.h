// What one point of a batch runs and what it contributes (docs/forecast.md, "Batch runs"). The runner
// (batch_runner.h) owns what every kind shares: loading a point, its input hash, reuse of a stored
// result, input order, results.csv and the summary files. A kind owns the rest: the checks before any
// work, the computation, its result.json and report set, and its columns. The training run of
// `deepsim run` (TrainingBatchKind) is the default; the CLI registers the serving study of `deepsim
// serve` (sim/serve/serve_batch.h) for sweeps with `kind: serve`, so this module never links sim/serve.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/forecast/forecast.h"
#include "sim/forecast/forecast_cost.h"
#include "sim/report/batch_row.h"
#include "sim/report/batch_summary.h"
#include "sim/scenario/scenario.h"

namespace deepsim {

// One point to compute, as the runner hands it to its kind.
struct BatchPoint {
  const Scenario& scenario;
  std::string input_hash;       // input_hash(scenario, deepsim_version): the point's folder runs/<hash>/
  std::string deepsim_version;
  std::filesystem::path dir;    // runs/<hash>/, created
  bool reports = false;         // also write the kind's report set into dir (`deepsim batch --reports`)
};

class BatchKind {
 public:
  virtual ~BatchKind() = default;
  // "train" or "serve": the sweep's `kind:` value (sweep.h).
  [[nodiscard]] virtual std::string name() const = 0;
  // The checks a point gets before any engine time; throws InputError (the point's row is then bad input).
  virtual void check(const Scenario& s) const = 0;
  // Computes the point and returns its result.json (the runner stores it, last and whole); writes the
  // report set into p.dir first when p.reports.
  [[nodiscard]] virtual nlohmann::ordered_json compute(const BatchPoint& p) const = 0;
  // The row of a result.json this kind wrote (the same for a computed and a reused result). Throws
  // when the file is not this kind's (then the runner computes the point again).
  [[nodiscard]] virtual BatchRow row(const nlohmann::ordered_json& result) const = 0;
  [[nodiscard]] virtual std::string csv_header() const = 0;
  [[nodiscard]] virtual std::string csv_line(const BatchRow& row) const = 0;
  [[nodiscard]] virtual BatchSummaryLayout summary_layout() const = 0;
};

// `deepsim run` on each point: make_run_report with the given step and network inventory; result.json
// as `run --out` writes it; the report set report.md, report.html, phases.csv, ranks.csv.
class TrainingBatchKind final : public BatchKind {
 public:
  TrainingBatchKind(StepFn step, InventoryFn inventory) : step_(std::move(step)), inventory_(std::move(inventory)) {}
  [[nodiscard]] std::string name() const override { return "train"; }
  void check(const Scenario& s) const override;
  [[nodiscard]] nlohmann::ordered_json compute(const BatchPoint& p) const override;
  [[nodiscard]] BatchRow row(const nlohmann::ordered_json& result) const override { return row_from_result(result); }
  [[nodiscard]] std::string csv_header() const override { return results_csv_header(); }
  [[nodiscard]] std::string csv_line(const BatchRow& row) const override { return results_csv_line(row); }
  [[nodiscard]] BatchSummaryLayout summary_layout() const override { return training_summary_layout(); }

 private:
  StepFn step_;
  InventoryFn inventory_;
};

}  // namespace deepsim

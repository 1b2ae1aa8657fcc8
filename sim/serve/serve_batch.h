// The serving kind of batch point (sim/report/batch_kind.h): each point of a sweep with `kind: serve`
// is `deepsim serve` on that scenario (run_serve), its result.json the one `serve --out` writes
// (serve.*), its report set report.md, report.html and trace.json (`batch --reports`). results.csv has
// one column per figure below, named by its key under `serve.` in result.json (units in the names):
// throughput per node, TTFT, TPOT and the EP bound, nodes and dollars for the load, $ per 1M tokens.
// The summary ranks the points by $ per 1M output tokens and by TPOT. Registered by the CLI
// (sim/cli/cmd_batch.cpp), so sim/report never links sim/serve.
#pragma once

#include <string>
#include <vector>

#include "sim/report/batch_kind.h"
#include "sim/report/batch_runner.h"

namespace deepsim {

class ServeBatchKind final : public BatchKind {
 public:
  [[nodiscard]] std::string name() const override { return "serve"; }
  void check(const Scenario& s) const override;
  [[nodiscard]] nlohmann::ordered_json compute(const BatchPoint& p) const override;
  [[nodiscard]] BatchRow row(const nlohmann::ordered_json& result) const override;
  [[nodiscard]] std::string csv_header() const override;
  [[nodiscard]] std::string csv_line(const BatchRow& row) const override;
  [[nodiscard]] BatchSummaryLayout summary_layout() const override;
};

// results.csv's serve columns after input_hash: "name" (the scenario's), then keys under serve. in
// result.json ("decode.tpot_s" is serve.decode.tpot_s).
[[nodiscard]] const std::vector<std::string>& serve_batch_columns();

// Before anything runs: every sweep with `kind: serve` must vary a scenario that has a serving: section;
// an InputError at the sweep's kind: key otherwise.
void check_serve_batch(const BatchJobs& jobs);

}  // namespace deepsim

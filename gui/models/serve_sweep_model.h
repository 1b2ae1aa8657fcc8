// The serving what-if (sim/api/serve_run.h) as a table, one row per finished point in completion order,
// and the chart tables of the serving tab: decode throughput per node, TPOT and $ per million output
// tokens against the swept value. A point that does not fit (no KV cache left, or the batch's KV over
// it) or does not load keeps its row with the reason and no figures; its chart category says so.
#pragma once

#include <QObject>

#include "gui/models/chart_models.h"
#include "gui/models/rows_model.h"
#include "sim/api/serve_run.h"

namespace deepsim::gui {

enum class ServeMetric { kDecodeTokensPerSNode, kTpotMs, kUsdPerMOutput };
[[nodiscard]] QString to_string(ServeMetric m);
[[nodiscard]] double metric_value(const api::ServeFigures& f, ServeMetric m);
[[nodiscard]] QString metric_text(const api::ServeFigures& f, ServeMetric m);

class ServeSweepModel : public RowsModel<api::ServeSweepPoint> {
 public:
  enum ColumnIndex { kValue, kDecodeTokens, kTpot, kEpBound, kUsdPerMOutput, kBatch, kDecodeNodes, kStatus };
  explicit ServeSweepModel(QObject* parent = nullptr);
  void start(const api::ServeSweepSpec& spec);
  // In the sweep's point order, not the order the worker threads finish them.
  void add_point(const api::ServeSweepPoint& p) {
    insert_sorted(p, [](const auto& a, const auto& b) { return a.index < b.index; });
  }
  [[nodiscard]] const api::ServeSweepSpec& spec() const { return spec_; }
  [[nodiscard]] const api::ServeSweepPoint* point_at(std::size_t index) const;
  [[nodiscard]] int ran_count() const;

 private:
  api::ServeSweepSpec spec_;
};

// One metric against the swept values: a row per value in the order given, one column (the metric; 0
// for a point without figures). Row labels, short to fit under a bar: the value, with " n/a" for an
// infeasible point, "*" for one whose TPOT is over the SLO, " ..." while it runs.
class ServeChartModel : public ChartTable {
  Q_OBJECT
 public:
  ServeChartModel(const ServeSweepModel* sweep, ServeMetric metric, QObject* parent = nullptr);
  [[nodiscard]] ServeMetric metric() const { return metric_; }

 private:
  void rebuild();
  const ServeSweepModel* sweep_;
  ServeMetric metric_;
};

}  // namespace deepsim::gui

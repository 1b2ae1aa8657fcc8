#include "gui/models/serve_sweep_model.h"

#include <algorithm>

#include "gui/models/display.h"

namespace deepsim::gui {

QString to_string(ServeMetric m) {
  switch (m) {
    case ServeMetric::kDecodeTokensPerSNode: return "Decode output tokens/s per node";
    case ServeMetric::kTpotMs: return "TPOT (ms)";
    case ServeMetric::kUsdPerMOutput: return "$ per million output tokens";
  }
  return {};
}

double metric_value(const api::ServeFigures& f, ServeMetric m) {
  switch (m) {
    case ServeMetric::kDecodeTokensPerSNode: return f.decode_tokens_per_s_node;
    case ServeMetric::kTpotMs: return f.tpot_ms;
    case ServeMetric::kUsdPerMOutput: return f.usd_per_m_output;
  }
  return 0;
}

QString metric_text(const api::ServeFigures& f, ServeMetric m) {
  switch (m) {
    case ServeMetric::kDecodeTokensPerSNode: return rate_text(f.decode_tokens_per_s_node, "tokens");
    case ServeMetric::kTpotMs: return QString::number(f.tpot_ms, 'f', 1) + " ms";
    case ServeMetric::kUsdPerMOutput: return "$" + QString::number(f.usd_per_m_output, 'f', 3);
  }
  return {};
}

ServeSweepModel::ServeSweepModel(QObject* parent) : RowsModel<api::ServeSweepPoint>({}, parent) {
  set_alert([](const api::ServeSweepPoint& p) { return !p.ran() || !p.figures->meets_tpot; });
}

void ServeSweepModel::start(const api::ServeSweepSpec& spec) {
  spec_ = spec;
  using P = api::ServeSweepPoint;
  auto metric = [](ServeMetric m) {
    return Column<P>{to_string(m), [m](const P& p) { return p.ran() ? metric_text(*p.figures, m) : QString("-"); },
                     [m](const P& p) { return p.ran() ? metric_value(*p.figures, m) : 0.0; }};
  };
  std::vector<Column<P>> cols = {
      {QString::fromStdString(spec.key), [](const P& p) { return QString::fromStdString(p.value); }, {}},
      metric(ServeMetric::kDecodeTokensPerSNode),
      metric(ServeMetric::kTpotMs),
      {"EP bound on TPOT (ms)", [](const P& p) { return p.ran() ? QString::number(p.figures->ep_bound_tpot_ms, 'f', 1) + " ms" : QString("-"); },
       [](const P& p) { return p.ran() ? p.figures->ep_bound_tpot_ms : 0.0; }},
      metric(ServeMetric::kUsdPerMOutput),
      {"Batch per GPU", [](const P& p) { return p.ran() ? QString::number(p.figures->decode_batch_per_gpu) : QString("-"); },
       [](const P& p) { return p.ran() ? double(p.figures->decode_batch_per_gpu) : 0.0; }},
      {"Decode nodes", [](const P& p) { return p.ran() ? QString::number(p.figures->decode_nodes) : QString("-"); },
       [](const P& p) { return p.ran() ? double(p.figures->decode_nodes) : 0.0; }},
      {"Status",
       [](const P& p) {
         if (!p.ran()) return "infeasible: " + QString::fromStdString(p.error);
         return p.figures->meets_tpot ? QString("ok") : QString("runs, but TPOT over the SLO");
       },
       {}}};
  set_columns(std::move(cols));
}

const api::ServeSweepPoint* ServeSweepModel::point_at(std::size_t index) const {
  const auto it = std::find_if(rows().begin(), rows().end(), [index](const auto& p) { return p.index == index; });
  return it == rows().end() ? nullptr : &*it;
}

int ServeSweepModel::ran_count() const {
  return static_cast<int>(std::count_if(rows().begin(), rows().end(), [](const auto& p) { return p.ran(); }));
}

ServeChartModel::ServeChartModel(const ServeSweepModel* sweep, ServeMetric metric, QObject* parent)
    : ChartTable(parent), sweep_(sweep), metric_(metric) {
  connect(sweep, &QAbstractItemModel::rowsInserted, this, &ServeChartModel::rebuild);
  connect(sweep, &QAbstractItemModel::modelReset, this, &ServeChartModel::rebuild);
  rebuild();
}

void ServeChartModel::rebuild() {
  QStringList labels;
  std::vector<std::vector<double>> rows;
  const auto& values = sweep_->spec().values;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const api::ServeSweepPoint* p = sweep_->point_at(i);
    QString label = QString::fromStdString(values[i]);
    if (!p)
      label += " ...";
    else if (!p->ran())
      label += " n/a";
    else if (!p->figures->meets_tpot)
      label += "*";
    labels << label;
    rows.push_back({p && p->ran() ? metric_value(*p->figures, metric_) : 0.0});
  }
  set(labels, {to_string(metric_)}, std::move(rows));
}

}  // namespace deepsim::gui

#include "gui/models/pinned_runs_model.h"

#include <cmath>

namespace deepsim::gui {

void PinnedRunsModel::pin(const QString& label, const api::Headline& h, std::vector<api::PhaseRow> phases) {
  const int at = runs();
  if (at == 0) {  // the rows appear with the first run: a reset, not only a column
    beginResetModel();
    runs_.push_back({label, h, headline_metrics(h), std::move(phases)});
    endResetModel();
    return;
  }
  beginInsertColumns({}, at, at);
  runs_.push_back({label, h, headline_metrics(h), std::move(phases)});
  endInsertColumns();
}

void PinnedRunsModel::unpin(int column) {
  if (column < 0 || column >= runs()) return;
  if (runs() == 1) return clear();  // the rows go with the last run
  beginRemoveColumns({}, column, column);
  runs_.erase(runs_.begin() + column);
  endRemoveColumns();
}

void PinnedRunsModel::clear() {
  beginResetModel();
  runs_.clear();
  endResetModel();
}

std::optional<double> PinnedRunsModel::change_vs_first(int row, int column) const {
  if (column <= 0 || column >= runs() || row < 0 || row >= rowCount()) return std::nullopt;
  const double base = runs_[0].metrics[static_cast<std::size_t>(row)].value;
  const double v = runs_[static_cast<std::size_t>(column)].metrics[static_cast<std::size_t>(row)].value;
  if (base == 0 || static_cast<HeadlineRow>(row) == HeadlineRow::kMemory) return std::nullopt;
  return (v - base) / std::fabs(base);
}

int PinnedRunsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || runs_.empty() ? 0 : static_cast<int>(HeadlineRow::kCount);
}

int PinnedRunsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : runs(); }

QVariant PinnedRunsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount() || index.column() >= runs()) return {};
  const Metric& m = runs_[static_cast<std::size_t>(index.column())].metrics[static_cast<std::size_t>(index.row())];
  if (role == kValueRole) return m.value;
  if (role == Qt::ForegroundRole && m.alert) return QBrush(QColor(200, 0, 0));
  if (role != Qt::DisplayRole) return {};
  const auto change = change_vs_first(index.row(), index.column());
  if (!change) return m.text;
  return m.text + QString(" (%1%2%)").arg(*change >= 0 ? "+" : "").arg(100 * *change, 0, 'f', 1);
}

QVariant PinnedRunsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (role != Qt::DisplayRole) return {};
  if (orientation == Qt::Horizontal) return section < runs() ? QVariant(runs_[static_cast<std::size_t>(section)].label) : QVariant();
  if (runs_.empty() || section >= rowCount()) return {};
  return runs_[0].metrics[static_cast<std::size_t>(section)].name;
}

}  // namespace deepsim::gui

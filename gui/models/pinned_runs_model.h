// Pinned runs side by side: one column per pinned run, one row per headline figure; every run after the
// first also shows its difference from the first in percent, so two plans compare at a glance. Each run
// keeps its phases too, for the overlaid chart by phase (chart_models.h, PinnedPhasesModel).
#pragma once

#include <QAbstractTableModel>
#include <vector>

#include "gui/models/result_models.h"

namespace deepsim::gui {

class PinnedRunsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  using QAbstractTableModel::QAbstractTableModel;
  void pin(const QString& label, const api::Headline& h, std::vector<api::PhaseRow> phases = {});
  void unpin(int column);
  void clear();
  [[nodiscard]] int runs() const { return static_cast<int>(runs_.size()); }
  [[nodiscard]] const api::Headline& headline(int column) const { return runs_.at(static_cast<std::size_t>(column)).headline; }
  [[nodiscard]] const std::vector<api::PhaseRow>& phases(int column) const { return runs_.at(static_cast<std::size_t>(column)).phases; }
  // (value - first) / first for the run in `column`; nullopt for the first run or a zero base.
  [[nodiscard]] std::optional<double> change_vs_first(int row, int column) const;

  [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override;
  [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override;
  [[nodiscard]] QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  struct Run {
    QString label;
    api::Headline headline;
    std::vector<Metric> metrics;
    std::vector<api::PhaseRow> phases;
  };
  std::vector<Run> runs_;
};

}  // namespace deepsim::gui

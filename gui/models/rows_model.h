// RowsModel<Row>: a read-only table over a vector of plain result rows (sim/api/summary.h), one column per
// Column<Row>. DisplayRole is the formatted text (display.h); kValueRole the raw number, which charts read
// through NumericProxy; rows for which `alert` holds are drawn red (memory that does not fit). Every
// table of the GUI is one of these, so each is tested the same way (QAbstractItemModelTester).
#pragma once

#include <QAbstractTableModel>
#include <QBrush>
#include <QColor>
#include <QIdentityProxyModel>

#include <algorithm>
#include <functional>
#include <utility>
#include <vector>

namespace deepsim::gui {

inline constexpr int kValueRole = Qt::UserRole + 1;  // the number behind a cell, for charts and tests

template <class Row>
struct Column {
  QString header;
  std::function<QString(const Row&)> text;
  std::function<double(const Row&)> value;  // may be empty: a text-only column
};

template <class Row>
class RowsModel : public QAbstractTableModel {
 public:
  explicit RowsModel(std::vector<Column<Row>> columns, QObject* parent = nullptr)
      : QAbstractTableModel(parent), columns_(std::move(columns)) {}

  void set_rows(std::vector<Row> rows) {
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
  }
  // A new column set (a sweep over other keys) and no rows.
  void set_columns(std::vector<Column<Row>> columns) {
    beginResetModel();
    columns_ = std::move(columns);
    rows_.clear();
    endResetModel();
  }
  void append_row(Row row) {
    const int at = static_cast<int>(rows_.size());
    beginInsertRows({}, at, at);
    rows_.push_back(std::move(row));
    endInsertRows();
  }
  // Inserts before the first row that `before` orders after it, so rows that arrive in completion order
  // (a sweep's worker threads) still read in the order the caller defines, whatever the timing.
  template <class Less>
  void insert_sorted(Row row, Less before) {
    const auto it = std::upper_bound(rows_.begin(), rows_.end(), row, before);
    const int at = static_cast<int>(it - rows_.begin());
    beginInsertRows({}, at, at);
    rows_.insert(it, std::move(row));
    endInsertRows();
  }
  void set_alert(std::function<bool(const Row&)> alert) { alert_ = std::move(alert); }
  [[nodiscard]] const std::vector<Row>& rows() const { return rows_; }

  [[nodiscard]] int rowCount(const QModelIndex& parent = {}) const override {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
  }
  [[nodiscard]] int columnCount(const QModelIndex& parent = {}) const override {
    return parent.isValid() ? 0 : static_cast<int>(columns_.size());
  }
  [[nodiscard]] QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override {
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount()) return {};
    const Row& row = rows_[static_cast<std::size_t>(index.row())];
    const Column<Row>& col = columns_[static_cast<std::size_t>(index.column())];
    switch (role) {
      case Qt::DisplayRole: return col.text(row);
      case kValueRole: return col.value ? QVariant(col.value(row)) : QVariant();
      case Qt::ForegroundRole:
        return alert_ && alert_(row) ? QVariant(QBrush(QColor(200, 0, 0))) : QVariant();
      case Qt::TextAlignmentRole:
        return QVariant::fromValue(col.value ? Qt::AlignRight | Qt::AlignVCenter : Qt::AlignLeft | Qt::AlignVCenter);
      default: return {};
    }
  }
  [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override {
    if (role != Qt::DisplayRole) return {};
    if (orientation == Qt::Vertical) return section + 1;
    return section >= 0 && section < columnCount() ? QVariant(columns_[static_cast<std::size_t>(section)].header) : QVariant();
  }

 private:
  std::vector<Column<Row>> columns_;
  std::vector<Row> rows_;
  std::function<bool(const Row&)> alert_;
};

// The same model with DisplayRole answering kValueRole: what Qt Charts' model mappers read.
class NumericProxy : public QIdentityProxyModel {
  Q_OBJECT
 public:
  using QIdentityProxyModel::QIdentityProxyModel;
  [[nodiscard]] QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
};

}  // namespace deepsim::gui

#include "gui/models/gpu_catalog_model.h"

#include "gui/models/display.h"
#include "gui/models/rows_model.h"
#include "sim/hw/catalog.h"

namespace deepsim::gui {
namespace {
enum Column { kName, kSms, kBf16, kFp8, kHbm, kNvlink, kColumns };

double value_of(const GpuSpec& g, int column) {
  switch (column) {
    case kSms: return g.sms;
    case kBf16: return g.bf16_dense.tflops();
    case kFp8: return g.fp8_dense.tflops();
    case kHbm: return g.hbm.gb();
    case kNvlink: return g.nvlink_per_direction.gb_per_s();
    default: return 0;
  }
}
}  // namespace

int GpuCatalogModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(gpu_catalog().size());
}

int GpuCatalogModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumns; }

QVariant GpuCatalogModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const auto& g = gpu_catalog()[static_cast<std::size_t>(index.row())];
  if (role == kValueRole) return index.column() == kName ? QVariant() : QVariant(value_of(g, index.column()));
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case kName: return QString::fromStdString(g.name);
    case kSms: return g.sms;
    case kBf16: return QString::number(g.bf16_dense.tflops(), 'f', 0);
    case kFp8: return QString::number(g.fp8_dense.tflops(), 'f', 0);
    case kHbm: return gb_text(g.hbm.gb());  // "84.9 GB": decimal GB, one digit (80 GiB is 85.9 GB)
    case kNvlink: return QString::number(g.nvlink_per_direction.gb_per_s(), 'f', 0);
    default: return {};
  }
}

QVariant GpuCatalogModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* const names[] = {"GPU", "SMs", "BF16 TFLOPS", "FP8 TFLOPS", "HBM", "NVLink GB/s/dir"};
  return section >= 0 && section < kColumns ? QVariant(names[section]) : QVariant();
}

}  // namespace deepsim::gui

#include "gui/models/gpu_catalog_model.h"

#include "sim/hw/catalog.h"

namespace deepsim::gui {
namespace {
enum Column { kName, kSms, kBf16, kFp8, kHbm, kNvlink, kColumns };
}

int GpuCatalogModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(gpu_catalog().size());
}

int GpuCatalogModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumns; }

QVariant GpuCatalogModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || role != Qt::DisplayRole) return {};
  const auto& g = gpu_catalog()[static_cast<std::size_t>(index.row())];
  switch (index.column()) {
    case kName: return QString::fromStdString(g.name);
    case kSms: return g.sms;
    case kBf16: return g.bf16_dense.tflops();
    case kFp8: return g.fp8_dense.tflops();
    case kHbm: return g.hbm.gb();
    case kNvlink: return g.nvlink_per_direction.gb_per_s();
    default: return {};
  }
}

QVariant GpuCatalogModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* const names[] = {"GPU", "SMs", "BF16 TFLOPS", "FP8 TFLOPS", "HBM GB", "NVLink GB/s/dir"};
  return section >= 0 && section < kColumns ? QVariant(names[section]) : QVariant();
}

}  // namespace deepsim::gui

#include <QAbstractItemModelTester>
#include <QCoreApplication>
#include <gtest/gtest.h>

#include "gui/models/gpu_catalog_model.h"
#include "gui/models/rows_model.h"
#include "sim/hw/catalog.h"

namespace deepsim::gui {
namespace {

TEST(GpuCatalogModel, OneRowPerCatalogGpuAndPassesQtModelTester) {
  GpuCatalogModel model;
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
  ASSERT_EQ(model.rowCount(), static_cast<int>(gpu_catalog().size()));
  EXPECT_EQ(model.data(model.index(0, 0)).toString().toStdString(), gpu_catalog()[0].name);
  EXPECT_DOUBLE_EQ(model.data(model.index(0, 1)).toInt(), gpu_catalog()[0].sms);
}

TEST(GpuCatalogModel, HbmReadsAsRoundedGigabytesWithTheExactValueBehind) {
  GpuCatalogModel model;
  const QModelIndex hbm = model.index(0, 4);
  const QString text = model.data(hbm).toString();
  EXPECT_TRUE(text.endsWith(" GB")) << text.toStdString();
  EXPECT_EQ(text.indexOf('.'), text.size() - 5) << "one decimal, not " << text.toStdString();
  EXPECT_DOUBLE_EQ(model.data(hbm, kValueRole).toDouble(), gpu_catalog()[0].hbm.gb());
}

}  // namespace
}  // namespace deepsim::gui

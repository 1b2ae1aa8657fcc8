// Predicted against measured rows from a compare.json, and what each row's error implies for a run.
#include "gui/models/compare_model.h"

#include <QAbstractItemModelTester>
#include <gtest/gtest.h>

#include "sim/core/error.h"

namespace deepsim::gui {
namespace {

const std::string kExample = std::string(DEEPSIM_SOURCE_DIR) + "/tests/gui/data/compare-example.json";

TEST(CompareModel, ReadsCompareJsonAndScalesTheRunByMeasuredOverPredicted) {
  CompareModel m;
  QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::Fatal);
  m.add_compare_json(kExample);
  ASSERT_EQ(m.rowCount(), 4 + 2 + 1);  // classes, phases, step
  const CompareEntry& step = m.rows().back();
  EXPECT_EQ(step.level, "step");
  EXPECT_NEAR(step.measured_s, 0.100, 1e-12);
  EXPECT_NEAR(*step.error(), -0.20, 1e-12);
  EXPECT_FALSE(step.implied_gpu_hours.has_value());  // no run yet
  EXPECT_FALSE(m.rows()[3].predicted_s.has_value());  // communication: measured only
  api::Headline run;
  run.gpu_hours = 1000;
  run.rental_usd = 2000;
  run.cost_basis = "rental";
  m.set_run(run);
  ASSERT_EQ(m.rowCount(), 7);
  // The step ran 100 ms against 80 ms predicted: the run would take 100/80 of its predicted GPU-hours.
  EXPECT_NEAR(*m.rows().back().implied_gpu_hours, 1250, 1e-9);
  EXPECT_NEAR(*m.rows().back().implied_usd, 2500, 1e-9);
  EXPECT_FALSE(m.rows()[3].implied_gpu_hours.has_value());
}

TEST(CompareModel, AFileOfAnotherKindIsAnInputErrorNamingIt) {
  CompareModel m;
  EXPECT_THROW(m.add_compare_json(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/default.yaml"), deepsim::InputError);
  EXPECT_THROW(m.add_compare_json("/nonexistent/compare.json"), deepsim::InputError);
}

}  // namespace
}  // namespace deepsim::gui

// Predicted against measured rows from a compare.json, and what each row's error implies for a run.
#include "gui/models/compare_model.h"

#include <QAbstractItemModelTester>
#include <gtest/gtest.h>

#include "calibrate/src/step_predictor.h"
#include "sim/core/error.h"
#include "sim/scenario/loader.h"

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

const std::string kKineto = std::string(DEEPSIM_SOURCE_DIR) + "/tests/calibrate/data/dpsk-train-layer-pair.json";

// A Kineto trace with a scenario: every compute class gets the kernel model's time for the layers the trace
// covers (one MoE layer forward + backward by default), communication stays measured only, like a measured
// run's rows.
TEST(CompareModel, KinetoTraceGetsThePredictionOfTheLayersItCovers) {
  const Scenario s = load_scenario_file(std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/default.yaml");
  CompareModel measured_only;
  measured_only.add_kineto_trace(kKineto);
  ASSERT_GT(measured_only.rowCount(), 3);
  for (const CompareEntry& e : measured_only.rows()) EXPECT_FALSE(e.predicted_s.has_value()) << e.key;

  CompareModel m;
  QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::Fatal);
  m.add_kineto_trace(kKineto, &s);
  ASSERT_EQ(m.rowCount(), measured_only.rowCount());
  const calib::PredictedRun one = calib::predict_layers(s, s.model.moe.first_dense_layers, 1);
  int predicted = 0;
  for (const CompareEntry& e : m.rows()) {
    EXPECT_EQ(e.level, "class");
    EXPECT_EQ(e.source, "dpsk-train-layer-pair.json");
    if (e.key == "communication") {
      EXPECT_FALSE(e.predicted_s.has_value());
      continue;
    }
    if (!e.predicted_s) continue;  // a class the model launches nothing of
    ++predicted;
    EXPECT_GT(*e.predicted_s, 0) << e.key;
    EXPECT_DOUBLE_EQ(*e.predicted_s, one.class_seconds.at(e.key)) << e.key;
  }
  EXPECT_GE(predicted, 3);  // the trace's FP8 GEMMs, grouped GEMMs, casts, attention, ...

  // Two identical MoE layers predict twice one; the span is checked against the model.
  const calib::PredictedRun two = calib::predict_layers(s, s.model.moe.first_dense_layers, 2);
  for (const auto& [key, t] : one.class_seconds) EXPECT_NEAR(two.class_seconds.at(key), 2 * t, 1e-12 + 1e-9 * t) << key;
  EXPECT_THROW((void)calib::predict_layers(s, s.model.layers, 1), InputError);
  EXPECT_THROW((void)calib::predict_layers(s, 0, 0), InputError);
}

}  // namespace
}  // namespace deepsim::gui

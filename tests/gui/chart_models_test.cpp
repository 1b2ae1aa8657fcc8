// The chart tables the what-if and serving views bind their series to: each passes Qt's model tester,
// and every charted number is the result struct's own (a phase's GPU-hours, a point's figure).
#include "gui/models/chart_models.h"

#include <QAbstractItemModelTester>
#include <gtest/gtest.h>

#include "gui/models/serve_sweep_model.h"
#include "sim/api/scenario_doc.h"

namespace deepsim::gui {
namespace {

const std::string kSmall = std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/examples/small-h100.yaml";
const std::string kServing = std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/serving/deepseek-v3-h800.yaml";
constexpr auto kFatal = QAbstractItemModelTester::FailureReportingMode::Fatal;

const api::RunSummary& small_summary() {
  static const api::RunSummary s = api::summarize(api::run_forecast(api::load(api::read_scenario_doc(kSmall))));
  return s;
}

TEST(ChartTable, ReadsItsNumbersAsDisplayAndGivesAnAxisTopWithHeadroom) {
  ChartTable t;
  QAbstractItemModelTester tester(&t, kFatal);
  t.set({"a", "b"}, {"x", "y"}, {{1, 4}, {2}});
  ASSERT_EQ(t.rowCount(), 2);
  ASSERT_EQ(t.columnCount(), 2);
  EXPECT_DOUBLE_EQ(t.data(t.index(0, 1)).toDouble(), 4);  // what QVXYModelMapper reads
  EXPECT_DOUBLE_EQ(t.value(1, 1), 0);                     // past a short row's end
  EXPECT_EQ(t.headerData(1, Qt::Vertical).toString(), "b");
  EXPECT_EQ(t.headerData(1, Qt::Horizontal).toString(), "y");
  EXPECT_DOUBLE_EQ(t.axis_top(), 4 * 1.1);
  EXPECT_DOUBLE_EQ(t.axis_top(0, 0), 2 * 1.1);
  t.set({}, {"x"}, {});
  EXPECT_DOUBLE_EQ(t.axis_top(), 1);  // an empty chart still has an axis
}

TEST(PinnedPhasesModel, OverlaysEachPinnedRunsPhasesAndDrawsBarsForOneRun) {
  PinnedRunsModel runs;
  PinnedPhasesModel m(&runs);
  QAbstractItemModelTester tester(&m, kFatal);
  const std::vector<api::PhaseRow>& phases = small_summary().phases;
  ASSERT_FALSE(phases.empty());
  runs.pin("base", small_summary().headline, phases);
  // One pinned run: one bar per phase, the run's own GPU-hours.
  ASSERT_EQ(m.rowCount(), static_cast<int>(phases.size()));
  ASSERT_EQ(m.columnCount(), 1);
  EXPECT_EQ(m.headerData(0, Qt::Horizontal).toString(), "base");
  for (int r = 0; r < m.rowCount(); ++r) {
    EXPECT_EQ(m.row_labels()[r].toStdString(), phases[static_cast<std::size_t>(r)].title);
    EXPECT_DOUBLE_EQ(m.value(r, 0), phases[static_cast<std::size_t>(r)].gpu_hours);
  }
  // A second run with a phase the first does not have: a row of its own, 0 for the first run.
  std::vector<api::PhaseRow> other = phases;
  other[0].gpu_hours *= 2;
  api::PhaseRow extra = phases[0];
  extra.key = "extra";
  extra.title = "Extra phase";
  other.push_back(extra);
  runs.pin("other", small_summary().headline, other);
  ASSERT_EQ(m.columnCount(), 2);
  ASSERT_EQ(m.rowCount(), static_cast<int>(phases.size()) + 1);
  EXPECT_DOUBLE_EQ(m.value(0, 1), 2 * phases[0].gpu_hours);
  EXPECT_DOUBLE_EQ(m.value(m.rowCount() - 1, 0), 0);
  EXPECT_DOUBLE_EQ(m.value(m.rowCount() - 1, 1), extra.gpu_hours);
  m.set_metric(PhaseMetric::kCostUsd);
  EXPECT_DOUBLE_EQ(m.value(0, 0), phases[0].usd);
  m.set_metric(PhaseMetric::kDays);
  EXPECT_DOUBLE_EQ(m.value(0, 0), phases[0].days);
  EXPECT_GT(m.value(0, 0), 0);
  runs.unpin(0);
  EXPECT_EQ(m.columnCount(), 1);
  EXPECT_EQ(m.headerData(0, Qt::Horizontal).toString(), "other");
}

TEST(SweepCurveModel, PutsFeasiblePointsOnTheCurveInAxisOrderAndInfeasibleOnTheAxis) {
  SweepModel sweep;
  SweepCurveModel curve(&sweep);
  QAbstractItemModelTester t1(curve.feasible(), kFatal);
  QAbstractItemModelTester t2(curve.infeasible(), kFatal);
  sweep.start({api::read_scenario_doc(kSmall), {{"cluster.nodes", {"2", "4", "8"}}}, 1});
  api::Headline h = small_summary().headline;
  api::SweepPoint last{2, {2}, "cluster.nodes=8", h, "", {}};
  last.headline->gpu_hours = 3 * h.gpu_hours;
  sweep.add_point(last);  // completion order is not axis order
  sweep.add_point({0, {0}, "cluster.nodes=2", h, "", {}});
  sweep.add_point({1, {1}, "cluster.nodes=4", std::nullopt, "does not load", {}});
  ASSERT_EQ(curve.feasible()->rowCount(), 2);
  EXPECT_DOUBLE_EQ(curve.feasible()->value(0, kChartX), 2);
  EXPECT_DOUBLE_EQ(curve.feasible()->value(0, kChartY), h.gpu_hours);
  EXPECT_DOUBLE_EQ(curve.feasible()->value(1, kChartX), 8);
  EXPECT_DOUBLE_EQ(curve.feasible()->value(1, kChartY), 3 * h.gpu_hours);
  ASSERT_EQ(curve.infeasible()->rowCount(), 1);
  EXPECT_DOUBLE_EQ(curve.infeasible()->value(0, kChartX), 4);
  EXPECT_DOUBLE_EQ(curve.x_min(), 2);
  EXPECT_DOUBLE_EQ(curve.x_max(), 8);
  curve.set_metric(SweepMetric::kDays);
  EXPECT_DOUBLE_EQ(curve.feasible()->value(0, kChartY), h.days);
}

TEST(CompareChartModel, ScattersEachPredictedRowAtItsLevelAndBarsItsError) {
  CompareModel compare;
  CompareChartModel charts(&compare);
  QAbstractItemModelTester tc(charts.points(CompareLevel::kClass), kFatal);
  QAbstractItemModelTester tp(charts.points(CompareLevel::kPhase), kFatal);
  QAbstractItemModelTester ts(charts.points(CompareLevel::kStep), kFatal);
  QAbstractItemModelTester te(charts.errors(), kFatal);
  compare.add_compare_json(std::string(DEEPSIM_SOURCE_DIR) + "/tests/gui/data/compare-example.json");
  int predicted = 0, steps = 0;
  for (const CompareEntry& e : compare.rows()) {
    if (!e.predicted_s) continue;
    const int row = predicted++;
    ASSERT_LT(row, charts.errors()->rowCount());
    EXPECT_EQ(charts.errors()->row_labels()[row].toStdString(), e.key);
    EXPECT_DOUBLE_EQ(charts.errors()->value(row, 0), 100 * *e.error());
    EXPECT_GE(charts.edge(), std::max(e.measured_s, *e.predicted_s) * 1e3);
    if (e.level == "step") {
      ASSERT_LT(steps, charts.points(CompareLevel::kStep)->rowCount());
      EXPECT_DOUBLE_EQ(charts.points(CompareLevel::kStep)->value(steps, kChartX), e.measured_s * 1e3);
      EXPECT_DOUBLE_EQ(charts.points(CompareLevel::kStep)->value(steps, kChartY), *e.predicted_s * 1e3);
      ++steps;
    }
  }
  ASSERT_GT(predicted, 0);
  EXPECT_EQ(charts.errors()->rowCount(), predicted);
  EXPECT_EQ(charts.points(CompareLevel::kClass)->rowCount() + charts.points(CompareLevel::kPhase)->rowCount() + steps, predicted);
  EXPECT_DOUBLE_EQ(charts.diagonal()->value(1, kChartX), charts.edge());  // y = x to the corner
  compare.clear();
  EXPECT_EQ(charts.errors()->rowCount(), 0);
  EXPECT_DOUBLE_EQ(charts.edge(), 1);
}

const api::ServeSweepOutcome& batch_sweep() {
  // Two decode batches of the shipped serving scenario: 64 fits, 4000 requests' KV does not.
  static const api::ServeSweepOutcome out = api::run_serve_sweep(
      {api::read_scenario_doc(kServing), api::kServeDecodeBatch, {"64", "4000"}, 2});
  return out;
}

TEST(ServeSweepModel, ShowsEachPointsFiguresAndWhyAPointDidNotRun) {
  ServeSweepModel m;
  QAbstractItemModelTester tester(&m, kFatal);
  const api::ServeSweepOutcome& out = batch_sweep();
  ASSERT_EQ(out.points.size(), 2U);
  ASSERT_TRUE(out.points[0].ran()) << out.points[0].error;
  m.start({api::read_scenario_doc(kServing), api::kServeDecodeBatch, {"64", "4000"}, 2});
  EXPECT_EQ(m.columnCount(), ServeSweepModel::kStatus + 1);
  for (const auto& p : out.points) m.add_point(p);
  ASSERT_EQ(m.rowCount(), 2);
  EXPECT_DOUBLE_EQ(m.data(m.index(0, ServeSweepModel::kDecodeTokens), kValueRole).toDouble(),
                   out.points[0].figures->decode_tokens_per_s_node);
  EXPECT_DOUBLE_EQ(m.data(m.index(0, ServeSweepModel::kTpot), kValueRole).toDouble(), out.points[0].figures->tpot_ms);
  EXPECT_TRUE(m.data(m.index(1, ServeSweepModel::kStatus)).toString().startsWith("infeasible"));
  EXPECT_TRUE(m.data(m.index(1, 0), Qt::ForegroundRole).isValid());  // red
  EXPECT_EQ(m.ran_count(), 1);
}

TEST(ServeChartModel, ChartsEachValueInOrderWithTheFiguresOfItsPoint) {
  ServeSweepModel sweep;
  ServeChartModel tokens(&sweep, ServeMetric::kDecodeTokensPerSNode);
  ServeChartModel usd(&sweep, ServeMetric::kUsdPerMOutput);
  QAbstractItemModelTester tester(&tokens, kFatal);
  const api::ServeSweepOutcome& out = batch_sweep();
  sweep.start({api::read_scenario_doc(kServing), api::kServeDecodeBatch, {"64", "4000"}, 2});
  ASSERT_EQ(tokens.rowCount(), 2);
  EXPECT_TRUE(tokens.row_labels()[0].endsWith("..."));  // before its point arrives
  sweep.add_point(out.points[1]);
  sweep.add_point(out.points[0]);
  ASSERT_EQ(sweep.rowCount(), 2);
  EXPECT_EQ(sweep.rows()[0].index, 0u);  // the table too reads in point order, not arrival order
  EXPECT_EQ(sweep.rows()[1].index, 1u);
  ASSERT_EQ(tokens.rowCount(), 2);
  EXPECT_DOUBLE_EQ(tokens.value(0, 0), out.points[0].figures->decode_tokens_per_s_node);
  EXPECT_DOUBLE_EQ(usd.value(0, 0), out.points[0].figures->usd_per_m_output);
  EXPECT_TRUE(tokens.row_labels()[0].startsWith("64"));
  EXPECT_DOUBLE_EQ(tokens.value(1, 0), 0);
  EXPECT_TRUE(tokens.row_labels()[1].endsWith("n/a"));
}

}  // namespace
}  // namespace deepsim::gui

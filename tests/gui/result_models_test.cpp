// The dashboard's models over a real run of the small scenario, each checked by Qt's model tester.
#include <QAbstractItemModelTester>
#include <gtest/gtest.h>

#include "gui/models/pinned_runs_model.h"
#include "gui/models/result_models.h"
#include "gui/models/sweep_model.h"
#include "sim/api/scenario_doc.h"

namespace deepsim::gui {
namespace {

const std::string kSmall = std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/examples/small-h100.yaml";

const api::RunSummary& small_summary() {
  static const api::RunSummary s = api::summarize(api::run_forecast(api::load(api::read_scenario_doc(kSmall))));
  return s;
}


TEST(HeadlineModel, ShowsTheRunsGpuHoursAsTextWithTheNumberBehind) {
  HeadlineModel* m = make_headline_model(nullptr);
  std::unique_ptr<HeadlineModel> own(m);
  QAbstractItemModelTester tester(m, QAbstractItemModelTester::FailureReportingMode::Fatal);
  m->set_rows(headline_metrics(small_summary().headline));
  const int row = static_cast<int>(HeadlineRow::kGpuHours);
  ASSERT_EQ(m->rowCount(), static_cast<int>(HeadlineRow::kCount));
  EXPECT_DOUBLE_EQ(m->data(m->index(row, 1), kValueRole).toDouble(), small_summary().headline.gpu_hours);
  EXPECT_TRUE(m->data(m->index(row, 1)).toString().endsWith("GPU-h"));
}

TEST(StageMemoryModel, MarksAStageOverHbmRed) {
  std::unique_ptr<StageMemoryModel> m(make_stage_memory_model(nullptr));
  QAbstractItemModelTester tester(m.get(), QAbstractItemModelTester::FailureReportingMode::Fatal);
  std::vector<api::StageMemoryRow> rows = small_summary().memory;
  ASSERT_EQ(rows.size(), 2U);
  rows[1].activations_gb += rows[1].hbm_gb;  // push stage 1 over its HBM
  rows[1].total_gb += rows[1].hbm_gb;
  m->set_rows(rows);
  EXPECT_FALSE(m->data(m->index(0, kMemTotal), Qt::ForegroundRole).isValid());
  EXPECT_TRUE(m->data(m->index(1, kMemTotal), Qt::ForegroundRole).isValid());
  EXPECT_EQ(m->data(m->index(0, kMemHbm)).toString().toStdString().find('.') + 5,
            m->data(m->index(0, kMemHbm)).toString().size());  // "84.9 GB", one decimal
}

TEST(PhaseAndLinkModels, PassTheTesterAndKeepTheirRows) {
  std::unique_ptr<PhaseModel> p(make_phase_model(nullptr));
  std::unique_ptr<LinkModel> l(make_link_model(nullptr));
  std::unique_ptr<RankModel> r(make_rank_model(nullptr));
  QAbstractItemModelTester tp(p.get(), QAbstractItemModelTester::FailureReportingMode::Fatal);
  QAbstractItemModelTester tl(l.get(), QAbstractItemModelTester::FailureReportingMode::Fatal);
  QAbstractItemModelTester tr(r.get(), QAbstractItemModelTester::FailureReportingMode::Fatal);
  p->set_rows(small_summary().phases);
  l->set_rows(small_summary().links);
  r->set_rows(small_summary().ranks);
  ASSERT_EQ(p->rowCount(), static_cast<int>(small_summary().phases.size()));
  EXPECT_DOUBLE_EQ(p->data(p->index(0, kPhaseGpuHours), kValueRole).toDouble(), small_summary().phases[0].gpu_hours);
  NumericProxy numbers;
  numbers.setSourceModel(l.get());
  EXPECT_DOUBLE_EQ(numbers.data(numbers.index(0, kLinkMeanUtil)).toDouble(), 100 * small_summary().links[0].mean_utilisation);
  EXPECT_EQ(r->rowCount(), 2);
}

TEST(SweepModel, GrowsAsPointsArriveAndFindsThemByGridPosition) {
  SweepModel m;
  QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::Fatal);
  const api::SweepSpec spec{api::read_scenario_doc(kSmall), {{"cluster.nodes", {"2", "4"}}, {"parallel.schedule", {"1f1b", "gpipe"}}}, 1};
  m.start(spec);
  EXPECT_EQ(m.columnCount(), 2 + 5 + 1);  // two axes, five figures, status
  EXPECT_TRUE(m.axis_numeric(0));
  EXPECT_FALSE(m.axis_numeric(1));
  EXPECT_DOUBLE_EQ(m.axis_x(0, 1), 4);
  EXPECT_DOUBLE_EQ(m.axis_x(1, 1), 1);
  api::SweepPoint a{3, {1, 1}, "b", small_summary().headline, "", {}};
  api::SweepPoint b{0, {0, 0}, "a", std::nullopt, "does not load", {}};
  api::SweepPoint c{1, {0, 1}, "c", small_summary().headline, "", {}};
  c.headline->gpu_hours *= 2;
  m.add_point(a);
  m.add_point(b);
  m.add_point(c);
  ASSERT_EQ(m.rowCount(), 3);
  ASSERT_NE(m.point_at(1, 1), nullptr);
  EXPECT_EQ(m.point_at(1, 1)->label, "b");
  EXPECT_EQ(m.point_at(1, 0), nullptr);
  // Rows read in point order (0, 1, 3), not in the order the points arrived (3, 0, 1).
  EXPECT_EQ(m.rows()[0].label, "a");
  EXPECT_EQ(m.rows()[1].label, "c");
  EXPECT_EQ(m.rows()[2].label, "b");
  EXPECT_TRUE(m.data(m.index(0, 0), Qt::ForegroundRole).isValid());  // infeasible in red
  EXPECT_FALSE(m.data(m.index(1, 0), Qt::ForegroundRole).isValid());
  EXPECT_TRUE(m.data(m.index(0, m.columnCount() - 1)).toString().startsWith("infeasible"));
  EXPECT_EQ(m.relative(a, SweepMetric::kGpuHours), 0.0);
  EXPECT_EQ(m.relative(c, SweepMetric::kGpuHours), 1.0);
  EXPECT_FALSE(m.relative(b, SweepMetric::kGpuHours).has_value());
  EXPECT_EQ(m.feasible_count(), 2);
}

TEST(PinnedRunsModel, ShowsTheChangeAgainstTheFirstRun) {
  PinnedRunsModel m;
  QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::Fatal);
  api::Headline h = small_summary().headline;
  m.pin("base", h);
  h.gpu_hours *= 1.5;
  m.pin("bigger", h);
  ASSERT_EQ(m.columnCount(), 2);
  const int row = static_cast<int>(HeadlineRow::kGpuHours);
  ASSERT_TRUE(m.change_vs_first(row, 1).has_value());
  EXPECT_NEAR(*m.change_vs_first(row, 1), 0.5, 1e-12);
  EXPECT_TRUE(m.data(m.index(row, 1)).toString().endsWith("(+50.0%)")) << m.data(m.index(row, 1)).toString().toStdString();
  m.unpin(0);
  EXPECT_EQ(m.columnCount(), 1);
  EXPECT_FALSE(m.change_vs_first(row, 0).has_value());
}

}  // namespace
}  // namespace deepsim::gui

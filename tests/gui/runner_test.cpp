// The runner: the simulation runs on its own thread while the caller's event loop keeps turning, results
// and progress arrive as queued signals, and cancel ends a job with cancelled() instead of a result.
#include "gui/models/runner.h"

#include <QSignalSpy>
#include <QThread>
#include <QTimer>
#include <gtest/gtest.h>

#include "tests/gui/gui_test_app.h"

namespace deepsim::gui {
namespace {

const std::string kDefault = std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/default.yaml";
const std::string kSmall = std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/examples/small-h100.yaml";
constexpr int kLongWaitMs = 120'000;  // a generous bound for a shared 2-core machine

TEST(Runner, TheEventLoopKeepsTurningDuringALongRun) {
  testing::app();
  Runner runner;
  QSignalSpy done(&runner, &Runner::runFinished);
  QSignalSpy progress(&runner, &Runner::progress);
  int ticks = 0;
  QTimer timer;
  constexpr int kTickMs = 10;
  QObject::connect(&timer, &QTimer::timeout, [&] { ++ticks; });
  timer.start(kTickMs);
  QThread* gui_thread = QThread::currentThread();
  QThread* result_thread = nullptr;
  QObject::connect(&runner, &Runner::runFinished, [&] { result_thread = QThread::currentThread(); });
  // The full DeepSeek-V3 scenario: seconds of simulation (the ramp's several distinct steps).
  ASSERT_TRUE(runner.start_run(api::read_scenario_doc(kDefault)));
  EXPECT_TRUE(runner.busy());
  EXPECT_FALSE(runner.start_run(api::read_scenario_doc(kSmall))) << "one job at a time";
  ASSERT_TRUE(done.wait(kLongWaitMs));
  const qint64 ms = runner.elapsed_ms();
  EXPECT_FALSE(runner.busy());
  EXPECT_EQ(result_thread, gui_thread) << "results are delivered on the caller's thread";
  EXPECT_GE(progress.count(), 2);
  // A blocked loop would have ticked about once; a turning one ticks through the whole run.
  EXPECT_GE(ticks, std::max<qint64>(10, ms / kTickMs / 4)) << "run took " << ms << " ms";
  const auto bundle = done.at(0).at(0).value<RunBundlePtr>();
  ASSERT_TRUE(bundle);
  EXPECT_GT(bundle->summary.headline.gpu_hours, 0);
  EXPECT_EQ(bundle->timeline.ranks, 16);
}

TEST(Runner, CancelEndsTheJobWithCancelledAndTheNextJobRuns) {
  testing::app();
  Runner runner;
  QSignalSpy done(&runner, &Runner::runFinished);
  QSignalSpy cancelled(&runner, &Runner::cancelled);
  QObject::connect(&runner, &Runner::progress, &runner, [&] { runner.cancel(); });
  ASSERT_TRUE(runner.start_run(api::read_scenario_doc(kDefault)));
  ASSERT_TRUE(cancelled.wait(kLongWaitMs));
  EXPECT_EQ(done.count(), 0);
  EXPECT_FALSE(runner.busy());
  QObject::disconnect(&runner, &Runner::progress, &runner, nullptr);
  ASSERT_TRUE(runner.start_run(api::read_scenario_doc(kSmall)));  // a fresh cancel flag
  ASSERT_TRUE(done.wait(kLongWaitMs));
  EXPECT_EQ(cancelled.count(), 1);
}

TEST(Runner, ASweepReportsEveryPointAndCanBeCancelled) {
  testing::app();
  Runner runner;
  QSignalSpy points(&runner, &Runner::pointFinished);
  QSignalSpy finished(&runner, &Runner::sweepFinished);
  QSignalSpy cancelled(&runner, &Runner::cancelled);
  api::SweepSpec spec{api::read_scenario_doc(kSmall), {{"pricing.usd_per_gpu_hour", {"1", "2", "3"}}}, 0};
  ASSERT_TRUE(runner.start_sweep(spec));
  ASSERT_TRUE(finished.wait(kLongWaitMs));
  EXPECT_EQ(points.count(), 3);
  EXPECT_EQ(finished.at(0).at(0).toInt(), 3);
  // A long sweep, cancelled at its first point: fewer points than asked, and cancelled().
  spec.axes[0].values = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"};
  spec.threads = 1;
  points.clear();
  QObject::connect(&runner, &Runner::pointFinished, &runner, [&] { runner.cancel(); });
  ASSERT_TRUE(runner.start_sweep(spec));
  ASSERT_TRUE(cancelled.wait(kLongWaitMs));
  EXPECT_LT(points.count(), 12);
}

TEST(Runner, ABadScenarioFailsWithTheInputErrorText) {
  testing::app();
  Runner runner;
  QSignalSpy failed(&runner, &Runner::failed);
  ASSERT_TRUE(runner.start_run(api::ScenarioDoc{"schema: 1\ncluster:\n  gpu: H8OO\n", "typo.yaml", {}}));
  ASSERT_TRUE(failed.wait(kLongWaitMs));
  EXPECT_TRUE(failed.at(0).at(0).toString().startsWith("typo.yaml:3")) << failed.at(0).at(0).toString().toStdString();
}

}  // namespace
}  // namespace deepsim::gui

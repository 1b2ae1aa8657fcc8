// A Qt Test that drives the main window as a user would: open the default scenario, change a field and
// see the loader's message beside it, run, read the headline GPU-hours from the dashboard, then start a
// what-if sweep and cancel it; pin the run and see its phases overlaid; run a serving sweep of two
// decode batches and read its figures back. Runs offscreen (QT_QPA_PLATFORM=offscreen, set by CTest).
#include <QAction>
#include <QComboBox>
#include <QFile>
#include <QTemporaryDir>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>

#include "gui/models/display.h"
#include "gui/src/dashboard.h"
#include "gui/src/main_window.h"
#include "gui/src/scenario_editor.h"
#include "gui/src/serve_view.h"
#include "gui/src/sweep_view.h"
#include "sim/api/serve_run.h"
#include "sim/api/summary.h"
#include <QBarSeries>
#include <QBarSet>

namespace deepsim::gui {

class MainWindowTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }  // recent files in a test location
  void editRunAndSweep();
  void presetBoxShowsTheFilesPreset();
  void servingTabSweepsTheDecodeBatch();

 private:
  static constexpr int kLongWaitMs = 180'000;  // generous: a shared 2-core machine
};

void MainWindowTest::editRunAndSweep() {
  const QString path = QStringLiteral(DEEPSIM_SOURCE_DIR "/scenarios/default.yaml");
  MainWindow w;
  w.show();
  QVERIFY(w.open_file(path));
  ScenarioEditor* editor = w.editor();
  QVERIFY(editor->valid());

  // Type 0 nodes: the message appears beside the field as you type, and Run is off.
  auto* nodes = qobject_cast<QSpinBox*>(editor->field_widget("cluster.nodes"));
  QVERIFY(nodes);
  QCOMPARE(nodes->value(), 256);
  QLabel* message = editor->field_message("cluster.nodes");
  QVERIFY(message->isHidden());
  nodes->setFocus();
  nodes->selectAll();
  QTest::keyClicks(nodes, "0");
  QVERIFY(!editor->valid());
  QVERIFY(!message->isHidden());
  QVERIFY2(!message->text().isEmpty(), qPrintable(message->text()));
  QCOMPARE(QString::fromStdString(editor->diagnostic()->key), QString("cluster.nodes"));
  QVERIFY(!w.findChild<QAction*>("runAction")->isEnabled());
  nodes->selectAll();
  QTest::keyClicks(nodes, "256");
  QVERIFY(editor->valid());
  QVERIFY(message->isHidden());

  // Run: the window stays live while the worker computes; the dashboard shows the run's GPU-hours.
  QSignalSpy done(w.runner(), &Runner::runFinished);
  w.findChild<QAction*>("runAction")->trigger();
  QVERIFY(w.runner()->busy());
  QVERIFY(done.wait(kLongWaitMs));
  const api::RunSummary expected = api::summarize(api::run_forecast(api::load(editor->doc())));
  QVERIFY(expected.headline.gpu_hours > 0);
  QCOMPARE(w.dashboard()->headline_gpu_hours_text(), gpu_hours_text(expected.headline.gpu_hours));
  QCOMPARE(w.findChild<QLabel*>("headlineGpuHours")->text(), gpu_hours_text(expected.headline.gpu_hours));

  // A sweep in the background, cancelled after its first point.
  SweepView* sweep = w.sweep();
  sweep->set_axes("parallel.comm_sms", "12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56");
  QSignalSpy point(sweep->runner(), &Runner::pointFinished);
  QSignalSpy cancelled(sweep->runner(), &Runner::cancelled);
  sweep->start_button()->click();
  QVERIFY(sweep->runner()->busy());
  QVERIFY(sweep->cancel_button()->isEnabled());
  QVERIFY(point.wait(kLongWaitMs));
  sweep->cancel_button()->click();
  QVERIFY(cancelled.count() == 1 || cancelled.wait(kLongWaitMs));
  QVERIFY(!sweep->runner()->busy());
  QVERIFY(sweep->model()->rowCount() < 12);
  QVERIFY2(sweep->status_text().contains("cancelled"), qPrintable(sweep->status_text()));
  QVERIFY(sweep->start_button()->isEnabled());

  // Pin the dashboard's run: one bar per phase in the overlay, bound to the pinned-phases table.
  w.findChild<QPushButton*>("pinRun")->click();
  QCOMPARE(sweep->pinned()->runs(), 1);
  const auto& phases = w.last_run()->summary.phases;
  QCOMPARE(sweep->pinned_phases()->rowCount(), static_cast<int>(phases.size()));
  QCOMPARE(sweep->pinned_series()->count(), 1);
  QBarSet* bars = sweep->pinned_series()->barSets().front();
  QCOMPARE(bars->count(), static_cast<int>(phases.size()));
  QCOMPARE(bars->at(0), phases[0].gpu_hours);
}

// The preset box shows the loaded file's model.preset (an input-only key the Scenario does not keep),
// whichever preset it is and whether or not the rest of the file is valid.
void MainWindowTest::presetBoxShowsTheFilesPreset() {
  QFile base(QStringLiteral(DEEPSIM_SOURCE_DIR "/scenarios/default.yaml"));
  QVERIFY(base.open(QIODevice::ReadOnly));
  const QString text = QString::fromUtf8(base.readAll());
  QVERIFY(text.contains("preset: deepseek-v3"));
  QTemporaryDir dir;
  QVERIFY(dir.isValid());
  MainWindow w;
  for (const QString& preset : {QString("deepseek-v2"), QString("deepseek-v3"), QString("qwen2.5-72b")}) {
    const QString path = dir.filePath(preset + ".yaml");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QString(text).replace("preset: deepseek-v3", "preset: " + preset).toUtf8());
    f.close();
    QVERIFY(w.open_file(path));
    auto* box = qobject_cast<QComboBox*>(w.editor()->field_widget("model.preset"));
    QVERIFY(box);
    QCOMPARE(box->currentText(), preset);
  }
}

// The serving tab: a two-point sweep of the decode batch on the runner's thread; the point that fits
// shows `deepsim serve --set` figures in the table and the charts, the one whose KV does not fit is marked.
void MainWindowTest::servingTabSweepsTheDecodeBatch() {
  MainWindow w;
  w.show();
  w.tabs()->setCurrentIndex(MainWindow::kServingTab);
  ServeView* serving = w.serving();
  const QString path = QStringLiteral(DEEPSIM_SOURCE_DIR "/scenarios/serving/deepseek-v3-h800.yaml");
  QVERIFY(serving->set_scenario_file(path));
  serving->set_sweep("serving.decode.batch_per_gpu", "64, 4000");
  QSignalSpy done(serving->runner(), &Runner::sweepFinished);
  serving->start_button()->click();
  QVERIFY(serving->runner()->busy());
  QVERIFY(!serving->start_button()->isEnabled());
  QVERIFY(done.wait(kLongWaitMs));
  QVERIFY2(serving->status_text().contains("finished"), qPrintable(serving->status_text()));
  ServeSweepModel* m = serving->model();
  QCOMPARE(m->rowCount(), 2);
  QCOMPARE(m->ran_count(), 1);
  api::ScenarioDoc doc = api::read_scenario_doc(path.toStdString());
  doc.overrides.push_back("serving.decode.batch_per_gpu=64");
  const api::ServeFigures expected = api::run_serve(doc).figures;
  const api::ServeSweepPoint* fits = m->point_at(0);
  QVERIFY(fits && fits->ran());
  QCOMPARE(fits->figures->decode_tokens_per_s_node, expected.decode_tokens_per_s_node);
  QCOMPARE(serving->chart_model(ServeMetric::kTpotMs)->value(0, 0), expected.tpot_ms);
  QCOMPARE(serving->chart_model(ServeMetric::kUsdPerMOutput)->value(0, 0), expected.usd_per_m_output);
  QVERIFY(!m->point_at(1)->ran());
  QVERIFY(serving->chart_model(ServeMetric::kDecodeTokensPerSNode)->row_labels()[1].endsWith("n/a"));
}

}  // namespace deepsim::gui

QTEST_MAIN(deepsim::gui::MainWindowTest)
#include "main_window_test.moc"

// A Qt Test that drives the main window as a user would: open the default scenario, change a field and
// see the loader's message beside it, run, read the headline GPU-hours from the dashboard, then start a
// what-if sweep and cancel it. Runs offscreen (QT_QPA_PLATFORM=offscreen, set by CTest).
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
#include "gui/src/sweep_view.h"
#include "sim/api/summary.h"

namespace deepsim::gui {

class MainWindowTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }  // recent files in a test location
  void editRunAndSweep();
  void presetBoxShowsTheFilesPreset();

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

}  // namespace deepsim::gui

QTEST_MAIN(deepsim::gui::MainWindowTest)
#include "main_window_test.moc"

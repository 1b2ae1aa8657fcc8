#include "gui/src/main_window.h"

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QToolBar>
#include <fstream>

#include "gui/src/dashboard.h"
#include "gui/src/measured_view.h"
#include "gui/src/scenario_editor.h"
#include "gui/src/serve_view.h"
#include "gui/src/sweep_view.h"
#include "gui/src/timeline_view.h"
#include "sim/core/error.h"

namespace deepsim::gui {
namespace {

constexpr int kTickMs = 100;
constexpr int kRecentFiles = 8;
const char* const kRecentKey = "recentFiles";

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      runner_(new Runner(this)),
      editor_(new ScenarioEditor),
      dashboard_(new Dashboard),
      timeline_(new TimelineView),
      sweep_(new SweepView),
      measured_(new MeasuredView),
      serving_(new ServeView),
      tabs_(new QTabWidget),
      progress_(new QProgressBar),
      elapsed_(new QLabel),
      stage_(new QLabel("Open a scenario.")) {
  setWindowTitle("deepsim planner");
  tabs_->addTab(editor_, "Scenario");
  tabs_->addTab(dashboard_, "Results");
  auto* scroll = new QScrollArea;
  scroll->setWidget(timeline_);
  scroll->setWidgetResizable(true);
  tabs_->addTab(scroll, "Pipeline timeline");
  tabs_->addTab(sweep_, "What-if");
  tabs_->addTab(measured_, "Predicted vs measured");
  tabs_->addTab(serving_, "Serving what-if");
  setCentralWidget(tabs_);
  progress_->setObjectName("runProgress");
  progress_->setMaximumWidth(220);
  progress_->setRange(0, 1);
  progress_->setValue(0);
  elapsed_->setObjectName("runElapsed");
  stage_->setObjectName("runStage");
  statusBar()->addWidget(stage_, 1);
  statusBar()->addPermanentWidget(elapsed_);
  statusBar()->addPermanentWidget(progress_);
  make_actions();
  tick_.setInterval(kTickMs);
  connect(&tick_, &QTimer::timeout, this, [this] {
    elapsed_->setText(QString("%1 s").arg(runner_->elapsed_ms() / 1000.0, 0, 'f', 1));
  });
  connect(runner_, &Runner::progress, this, [this](int done, int total, const QString& stage) {
    // An unknown total (the forecast's distinct steps) shows a busy bar.
    progress_->setRange(0, total);
    progress_->setValue(done);
    stage_->setText(stage);
  });
  connect(runner_, &Runner::runFinished, this, &MainWindow::run_finished);
  connect(runner_, &Runner::cancelled, this, [this] {
    set_running(false);
    stage_->setText("Run cancelled.");
  });
  connect(runner_, &Runner::failed, this, [this](const QString& m) {
    set_running(false);
    stage_->setText("Run failed: " + m);
  });
  connect(editor_, &ScenarioEditor::validityChanged, this, [this](bool ok) { run_action_->setEnabled(ok && !runner_->busy()); });
  connect(editor_, &ScenarioEditor::docChanged, this, [this] {
    sweep_->set_base(editor_->doc());
    measured_->set_scenario(editor_->valid() ? std::optional<Scenario>(api::load(editor_->doc())) : std::nullopt);
  });
  connect(dashboard_, &Dashboard::pinRequested, this, [this] {
    if (last_run_) sweep_->pin(last_run_->label, last_run_->summary.headline, last_run_->summary.phases);
  });
  resize(1400, 900);
}

void MainWindow::make_actions() {
  QMenu* file = menuBar()->addMenu("&File");
  QToolBar* bar = addToolBar("Main");
  bar->setObjectName("mainToolBar");
  auto* open = file->addAction("&Open scenario...", this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, "Open scenario", QFileInfo(path_).path(), "Scenarios (*.yaml *.yml)");
    if (!f.isEmpty()) open_file(f);
  });
  open->setShortcut(QKeySequence::Open);
  auto* save = file->addAction("&Save", this, [this] {
    if (!path_.isEmpty()) save_file(path_);
  });
  save->setShortcut(QKeySequence::Save);
  file->addAction("Save &as...", this, [this] {
    const QString f = QFileDialog::getSaveFileName(this, "Save scenario", path_, "Scenarios (*.yaml)");
    if (!f.isEmpty()) save_file(f);
  });
  recent_ = file->addMenu("Recent files");
  file->addSeparator();
  file->addAction("&Quit", this, &QWidget::close);
  run_action_ = new QAction("Run", this);
  run_action_->setObjectName("runAction");
  run_action_->setShortcut(Qt::CTRL | Qt::Key_R);
  connect(run_action_, &QAction::triggered, this, &MainWindow::run);
  cancel_action_ = new QAction("Cancel", this);
  cancel_action_->setObjectName("cancelAction");
  cancel_action_->setEnabled(false);
  connect(cancel_action_, &QAction::triggered, this, &MainWindow::cancel);
  bar->addAction(open);
  bar->addAction(save);
  bar->addSeparator();
  bar->addAction(run_action_);
  bar->addAction(cancel_action_);
  update_recent();
}

void MainWindow::update_recent() {
  recent_->clear();
  const QStringList files = QSettings().value(kRecentKey).toStringList();
  for (const QString& f : files) recent_->addAction(f, this, [this, f] { open_file(f); });
  recent_->setEnabled(!files.isEmpty());
}

void MainWindow::remember(const QString& path) {
  QSettings settings;
  QStringList files = settings.value(kRecentKey).toStringList();
  const QString abs = QFileInfo(path).absoluteFilePath();
  files.removeAll(abs);
  files.prepend(abs);
  while (files.size() > kRecentFiles) files.removeLast();
  settings.setValue(kRecentKey, files);
  update_recent();
}

bool MainWindow::open_file(const QString& path) {
  try {
    editor_->set_doc(api::read_scenario_doc(path.toStdString()));
  } catch (const std::exception& e) {
    stage_->setText(QString::fromStdString(e.what()));
    return false;
  }
  path_ = path;
  remember(path);
  setWindowTitle("deepsim planner - " + QFileInfo(path).fileName());
  stage_->setText(editor_->valid() ? "Ready: press Run." : "The scenario has an error (see the Scenario tab).");
  run_action_->setEnabled(editor_->valid());
  return true;
}

bool MainWindow::save_file(const QString& path) {
  try {
    const std::string text = api::merged_yaml(editor_->doc());
    std::ofstream out(path.toStdString(), std::ios::binary);
    if (!(out << text)) throw std::runtime_error("cannot write " + path.toStdString());
    out.close();
    editor_->set_doc(api::ScenarioDoc{text, path.toStdString(), {}});
  } catch (const std::exception& e) {
    QMessageBox::warning(this, "Not saved", QString::fromStdString(e.what()));
    return false;
  }
  path_ = path;
  remember(path);
  return true;
}

void MainWindow::set_running(bool running) {
  run_action_->setEnabled(!running && editor_->valid());
  cancel_action_->setEnabled(running);
  if (running) {
    tick_.start();
  } else {
    tick_.stop();
    elapsed_->setText(QString("%1 s").arg(runner_->elapsed_ms() / 1000.0, 0, 'f', 1));
    progress_->setRange(0, 1);
    progress_->setValue(running ? 0 : 1);
  }
}

void MainWindow::run() {
  if (!editor_->valid()) {
    stage_->setText("Fix the scenario first: " + QString::fromStdString(editor_->diagnostic()->text));
    return;
  }
  if (!runner_->start_run(editor_->doc())) return;
  set_running(true);
  stage_->setText("Running...");
}

void MainWindow::cancel() { runner_->cancel(); }

void MainWindow::run_finished(const RunBundlePtr& run) {
  last_run_ = run;
  set_running(false);
  dashboard_->show_run(run);
  timeline_->set_timeline(run->timeline);
  measured_->set_run(run->summary.headline);
  stage_->setText("Done: " + QString::fromStdString(run->summary.headline.scenario));
  tabs_->setCurrentIndex(kResultsTab);
}

}  // namespace deepsim::gui

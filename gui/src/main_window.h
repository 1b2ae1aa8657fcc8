// The main window: the scenario editor, the results dashboard, the pipeline timeline, the what-if sweeps,
// predicted-versus-measured and the serving what-if, one tab each; runs go through a Runner so the window never blocks.
#pragma once

#include <QLabel>
#include <QMainWindow>
#include <QProgressBar>
#include <QTabWidget>
#include <QTimer>

#include "gui/models/runner.h"

class QAction;
class QMenu;

namespace deepsim::gui {

class Dashboard;
class MeasuredView;
class ScenarioEditor;
class ServeView;
class SweepView;
class TimelineView;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);

  // False (with the reason in the status bar) when the file cannot be read.
  bool open_file(const QString& path);
  bool save_file(const QString& path);
  void run();
  void cancel();

  [[nodiscard]] ScenarioEditor* editor() const { return editor_; }
  [[nodiscard]] Dashboard* dashboard() const { return dashboard_; }
  [[nodiscard]] TimelineView* timeline() const { return timeline_; }
  [[nodiscard]] SweepView* sweep() const { return sweep_; }
  [[nodiscard]] MeasuredView* measured() const { return measured_; }
  [[nodiscard]] ServeView* serving() const { return serving_; }
  [[nodiscard]] Runner* runner() const { return runner_; }
  [[nodiscard]] QTabWidget* tabs() const { return tabs_; }
  [[nodiscard]] RunBundlePtr last_run() const { return last_run_; }
  [[nodiscard]] QString status_text() const { return stage_->text(); }

  static constexpr int kScenarioTab = 0, kResultsTab = 1, kTimelineTab = 2, kWhatIfTab = 3, kMeasuredTab = 4,
                       kServingTab = 5;

 private:
  void make_actions();
  void update_recent();
  void remember(const QString& path);
  void run_finished(const RunBundlePtr& run);
  void set_running(bool running);

  Runner* runner_;
  ScenarioEditor* editor_;
  Dashboard* dashboard_;
  TimelineView* timeline_;
  SweepView* sweep_;
  MeasuredView* measured_;
  ServeView* serving_;
  QTabWidget* tabs_;
  QProgressBar* progress_;
  QLabel* elapsed_;
  QLabel* stage_;
  QTimer tick_;
  QAction* run_action_ = nullptr;
  QAction* cancel_action_ = nullptr;
  QMenu* recent_ = nullptr;
  QString path_;
  RunBundlePtr last_run_;
};

}  // namespace deepsim::gui

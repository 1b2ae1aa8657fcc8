#include "gui/src/screenshots.h"

#include <QApplication>
#include <QDir>
#include <QTimer>
#include <iostream>

#include "gui/src/main_window.h"
#include "gui/src/measured_view.h"
#include "gui/src/serve_view.h"
#include "gui/src/sweep_view.h"

namespace deepsim::gui {
namespace {

bool save(MainWindow& w, int tab, const ScreenshotPlan& plan, const QString& view) {
  w.tabs()->setCurrentIndex(tab);
  QApplication::processEvents();
  const QString file = QDir(plan.dir).filePath(plan.prefix + "-" + view + ".png");
  const bool ok = w.grab().save(file);
  std::cout << (ok ? "wrote " : "could not write ") << file.toStdString() << "\n";
  return ok;
}

void fail(const QString& why) {
  std::cerr << "screenshots: " << why.toStdString() << "\n";
  QApplication::exit(1);
}

}  // namespace

void take_screenshots(MainWindow& window, const ScreenshotPlan& plan) {
  QDir().mkpath(plan.dir);
  MainWindow* w = &window;
  QObject::connect(w->runner(), &Runner::failed, w, [](const QString& m) { fail(m); });
  QObject::connect(w->runner(), &Runner::runFinished, w, [w, plan] {
    bool ok = save(*w, MainWindow::kScenarioTab, plan, "scenario");
    ok = save(*w, MainWindow::kResultsTab, plan, "results") && ok;
    ok = save(*w, MainWindow::kTimelineTab, plan, "timeline") && ok;
    for (const QString& f : plan.measured) w->measured()->load_file(f);
    ok = save(*w, MainWindow::kMeasuredTab, plan, "measured") && ok;
    if (!ok) return fail("a PNG could not be written");
    if (plan.sweep_key1.isEmpty()) return QApplication::exit(0);
    w->sweep()->pin("configured", w->last_run()->summary.headline, w->last_run()->summary.phases);
    w->sweep()->set_axes(plan.sweep_key1, plan.sweep_values1, plan.sweep_key2, plan.sweep_values2);
    w->tabs()->setCurrentIndex(MainWindow::kWhatIfTab);
    w->sweep()->start_button()->click();
  });
  QObject::connect(w->sweep()->runner(), &Runner::sweepFinished, w, [w, plan] {
    // Pin the first and the last feasible point, so the pinned-runs view shows a comparison.
    const auto& rows = w->sweep()->model()->rows();
    for (auto it = rows.begin(); it != rows.end(); ++it)
      if (it->feasible() && (it == rows.begin() || std::next(it) == rows.end()))
        w->sweep()->pin(QString::fromStdString(it->label), *it->headline, it->phases);
    bool ok = save(*w, MainWindow::kWhatIfTab, plan, "what-if");
    w->sweep()->show_pinned();
    ok = save(*w, MainWindow::kWhatIfTab, plan, "pinned") && ok;
    if (!ok) return fail("a PNG could not be written");
    if (plan.serving.isEmpty()) return QApplication::exit(0);
    if (!w->serving()->set_scenario_file(plan.serving)) return fail(w->serving()->status_text());
    w->serving()->set_sweep(plan.serve_key, plan.serve_values);
    w->tabs()->setCurrentIndex(MainWindow::kServingTab);
    w->serving()->start_button()->click();
  });
  QObject::connect(w->serving()->runner(), &Runner::sweepFinished, w, [w, plan] {
    QApplication::exit(save(*w, MainWindow::kServingTab, plan, "serving") ? 0 : 1);
  });
  QObject::connect(w->serving()->runner(), &Runner::failed, w, [](const QString& m) { fail(m); });
  QObject::connect(w->sweep()->runner(), &Runner::failed, w, [](const QString& m) { fail(m); });
  QTimer::singleShot(0, w, [w] { w->run(); });
}

}  // namespace deepsim::gui

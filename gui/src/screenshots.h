// --screenshots DIR: drives the window through a run, a sweep (then its pinned runs) and a serving sweep,
// and saves a PNG of each main view
// (QWidget::grab, so it works under QT_QPA_PLATFORM=offscreen and under Xvfb alike). Used by
// scripts/gui-screenshots.sh for docs/gui/.
#pragma once

#include <QString>
#include <QStringList>

namespace deepsim::gui {

class MainWindow;

struct ScreenshotPlan {
  QString dir;
  QString prefix;            // file names: <prefix>-<view>.png
  QString sweep_key1, sweep_values1, sweep_key2, sweep_values2;
  QStringList measured;      // files for the predicted-vs-measured view
  QString serving;           // a serving scenario for the serving what-if ("": no serving screenshot)
  QString serve_key, serve_values;
};

// Starts the sequence; quits the application when the last PNG is written (exit code 1 on failure).
void take_screenshots(MainWindow& window, const ScreenshotPlan& plan);

}  // namespace deepsim::gui

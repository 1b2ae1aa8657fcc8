// Runner: runs the simulator off the GUI thread. A worker object lives on the runner's own QThread and
// talks to the window only through typed, queued signals; the window never blocks. One job at a time per
// runner (the window owns one for single runs and one for sweeps, so both can be in flight).
// Cancel is cooperative (sim/api/run_control.h): it takes effect at the next step simulation or sweep
// point, and the job then ends with cancelled() instead of finished().
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QThread>
#include <memory>

#include "sim/api/run.h"
#include "sim/api/scenario_doc.h"
#include "sim/api/serve_run.h"
#include "sim/api/summary.h"
#include "sim/api/sweep_run.h"
#include "sim/api/timeline.h"

namespace deepsim::gui {

// One finished run: the full output (for the timeline and reports) and its plain summary.
struct RunBundle {
  QString label;
  api::RunOutput output;
  api::RunSummary summary;
  api::Timeline timeline;
};
using RunBundlePtr = std::shared_ptr<const RunBundle>;

// Lives on the runner's thread; its slots run there.
class RunWorker : public QObject {
  Q_OBJECT
 public:
  void run(const api::ScenarioDoc& doc, const api::CancelToken& cancel);
  void sweep(const api::SweepSpec& spec, const api::CancelToken& cancel);
  void serve_sweep(const api::ServeSweepSpec& spec, const api::CancelToken& cancel);

 signals:
  void progress(int done, int total, const QString& stage);
  void runFinished(deepsim::gui::RunBundlePtr bundle);
  void pointFinished(const deepsim::api::SweepPoint& point);
  void servePointFinished(const deepsim::api::ServeSweepPoint& point);
  void sweepFinished(int points);
  void failed(const QString& message);
  void cancelled();

 private:
  [[nodiscard]] api::RunControl control_for(const api::CancelToken& cancel);
};

class Runner : public QObject {
  Q_OBJECT
 public:
  explicit Runner(QObject* parent = nullptr);
  ~Runner() override;  // cancels a job in flight and joins the thread
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // False (and nothing starts) when a job is already running.
  bool start_run(const api::ScenarioDoc& doc);
  bool start_sweep(const api::SweepSpec& spec);
  bool start_serve_sweep(const api::ServeSweepSpec& spec);  // ends with sweepFinished, like a sweep
  void cancel();
  [[nodiscard]] bool busy() const { return busy_; }
  [[nodiscard]] qint64 elapsed_ms() const { return busy_ ? clock_.elapsed() : last_ms_; }

 signals:
  void started();
  void progress(int done, int total, const QString& stage);
  void runFinished(deepsim::gui::RunBundlePtr bundle);
  void pointFinished(const deepsim::api::SweepPoint& point);
  void servePointFinished(const deepsim::api::ServeSweepPoint& point);
  void sweepFinished(int points);
  void failed(const QString& message);
  void cancelled();

 private:
  void begin();
  void end();

  QThread thread_;
  RunWorker* worker_ = nullptr;  // owned by thread_ (deleted on its finished())
  api::CancelToken cancel_;
  bool busy_ = false;
  QElapsedTimer clock_;
  qint64 last_ms_ = 0;
};

}  // namespace deepsim::gui

Q_DECLARE_METATYPE(deepsim::gui::RunBundlePtr)
Q_DECLARE_METATYPE(deepsim::api::SweepPoint)
Q_DECLARE_METATYPE(deepsim::api::ServeSweepPoint)

#include "gui/models/runner.h"

#include "sim/core/error.h"

namespace deepsim::gui {

// What every job of the worker runs under: the front end's cancel token, progress as a signal.
api::RunControl RunWorker::control_for(const api::CancelToken& cancel) {
  api::RunControl control;
  control.cancel = cancel;
  control.progress = [this](const api::Progress& p) {
    emit progress(p.done, p.total, QString::fromStdString(p.stage));
  };
  return control;
}

void RunWorker::run(const api::ScenarioDoc& doc, const api::CancelToken& cancel) {
  const api::RunControl control = control_for(cancel);
  try {
    auto bundle = std::make_shared<RunBundle>();
    bundle->label = QString::fromStdString(doc.display_name);
    bundle->output = api::run_forecast(api::load(doc), control);
    bundle->summary = api::summarize(bundle->output);
    bundle->timeline = api::timeline(bundle->output.step);
    emit runFinished(std::move(bundle));
  } catch (const api::Cancelled&) {
    emit cancelled();
  } catch (const std::exception& e) {
    emit failed(QString::fromStdString(e.what()));
  }
}

void RunWorker::sweep(const api::SweepSpec& spec, const api::CancelToken& cancel) {
  const api::RunControl control = control_for(cancel);
  try {
    // Points finish on the sweep's pool threads; a queued signal carries each to the GUI thread.
    const api::SweepOutcome out = api::run_sweep(spec, control, [this](const api::SweepPoint& p) { emit pointFinished(p); });
    if (out.cancelled)
      emit cancelled();
    else
      emit sweepFinished(static_cast<int>(out.points.size()));
  } catch (const std::exception& e) {
    emit failed(QString::fromStdString(e.what()));
  }
}

void RunWorker::serve_sweep(const api::ServeSweepSpec& spec, const api::CancelToken& cancel) {
  const api::RunControl control = control_for(cancel);
  try {
    const api::ServeSweepOutcome out =
        api::run_serve_sweep(spec, control, [this](const api::ServeSweepPoint& p) { emit servePointFinished(p); });
    if (out.cancelled)
      emit cancelled();
    else
      emit sweepFinished(static_cast<int>(out.points.size()));
  } catch (const std::exception& e) {
    emit failed(QString::fromStdString(e.what()));
  }
}

Runner::Runner(QObject* parent) : QObject(parent) {
  qRegisterMetaType<RunBundlePtr>();
  qRegisterMetaType<api::SweepPoint>();
  qRegisterMetaType<api::ServeSweepPoint>();
  worker_ = new RunWorker;  // NOLINT: handed to Qt; deleted when the thread finishes
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  connect(worker_, &RunWorker::progress, this, &Runner::progress);
  connect(worker_, &RunWorker::pointFinished, this, &Runner::pointFinished);
  connect(worker_, &RunWorker::servePointFinished, this, &Runner::servePointFinished);
  connect(worker_, &RunWorker::runFinished, this, [this](RunBundlePtr b) {
    end();
    emit runFinished(std::move(b));
  });
  connect(worker_, &RunWorker::sweepFinished, this, [this](int n) {
    end();
    emit sweepFinished(n);
  });
  connect(worker_, &RunWorker::failed, this, [this](const QString& m) {
    end();
    emit failed(m);
  });
  connect(worker_, &RunWorker::cancelled, this, [this] {
    end();
    emit cancelled();
  });
  thread_.setObjectName("deepsim-runner");
  thread_.start();
}

Runner::~Runner() {
  cancel_.cancel();
  thread_.quit();
  thread_.wait();
}

void Runner::begin() {
  cancel_ = api::CancelToken();  // a fresh flag per job: an old cancel never stops a new job
  busy_ = true;
  clock_.start();
  emit started();
}

void Runner::end() {
  busy_ = false;
  last_ms_ = clock_.elapsed();
}

bool Runner::start_run(const api::ScenarioDoc& doc) {
  if (busy_) return false;
  begin();
  QMetaObject::invokeMethod(worker_, [w = worker_, doc, c = cancel_] { w->run(doc, c); }, Qt::QueuedConnection);
  return true;
}

bool Runner::start_sweep(const api::SweepSpec& spec) {
  if (busy_) return false;
  begin();
  QMetaObject::invokeMethod(worker_, [w = worker_, spec, c = cancel_] { w->sweep(spec, c); }, Qt::QueuedConnection);
  return true;
}

bool Runner::start_serve_sweep(const api::ServeSweepSpec& spec) {
  if (busy_) return false;
  begin();
  QMetaObject::invokeMethod(worker_, [w = worker_, spec, c = cancel_] { w->serve_sweep(spec, c); }, Qt::QueuedConnection);
  return true;
}

void Runner::cancel() {
  if (busy_) cancel_.cancel();
}

}  // namespace deepsim::gui

// RunControl: how a front end (the GUI's worker thread, the Python bindings) follows and stops a long
// computation. Progress is reported between units of work (a simulated step, a forecast step, a sweep
// point); cancel is cooperative: it is checked at the same points, so a request takes effect when the
// unit in flight finishes (one step simulation, a few seconds at most on the shipped scenarios).
// Nothing here is global: every call gets its own control, so two runs on two threads never interfere.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

namespace deepsim::api {

// A cancel flag shared by copies: the front end keeps one copy, the computation another.
class CancelToken {
 public:
  CancelToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  void cancel() const { flag_->store(true, std::memory_order_relaxed); }
  [[nodiscard]] bool cancelled() const { return flag_->load(std::memory_order_relaxed); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

// Thrown out of a run whose CancelToken was cancelled.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("cancelled") {}
};

struct Progress {
  std::string stage;  // "simulating the step", "forecast step 3", "point 12 of 40"
  int done = 0;       // units finished
  int total = 0;      // units expected; 0 when not known in advance (the forecast's distinct steps)
};
// Called on the computing thread; a GUI forwards it as a queued signal.
using ProgressFn = std::function<void(const Progress&)>;

struct RunControl {
  ProgressFn progress;  // may be empty
  CancelToken cancel;
  // The forecast's steps simulated at once (run.h run_forecast); 0: one per core. Results do not depend on it.
  int threads = 0;

  // Throws Cancelled when cancel was requested.
  void check() const {
    if (cancel.cancelled()) throw Cancelled();
  }
  void report(std::string stage, int done, int total) const {
    check();
    if (progress) progress(Progress{std::move(stage), done, total});
  }
};

}  // namespace deepsim::api

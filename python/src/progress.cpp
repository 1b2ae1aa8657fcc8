#include "progress.h"

#include <utility>

namespace deepsim::py {
namespace pb = pybind11;

PythonProgress::PythonProgress(pb::object progress) : progress_(std::move(progress)) {
  control_.progress = [this](const api::Progress& p) { report(p); };
}

void PythonProgress::report(const api::Progress& p) {
  const std::lock_guard lock(mu_);
  if (error_) return;
  const pb::gil_scoped_acquire gil;
  try {
    // Signals are only delivered on the main thread; elsewhere this returns 0 at no cost.
    if (PyErr_CheckSignals() != 0) throw pb::error_already_set();
    if (!progress_.is_none()) {
      const pb::object r = progress_(p.stage, p.done, p.total);
      if (pb::isinstance<pb::bool_>(r) && !r.cast<bool>()) control_.cancel.cancel();
    }
  } catch (...) {
    error_ = std::current_exception();
    control_.cancel.cancel();
  }
}

void PythonProgress::finish() {
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

}  // namespace deepsim::py

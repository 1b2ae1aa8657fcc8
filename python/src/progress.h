// A Python progress callback as the sim's RunControl. The computation runs with the GIL released; each
// progress report takes the GIL, calls `progress(stage, done, total)` and checks for Ctrl-C. The run is
// cancelled (cooperatively, at its next progress point) when the callback returns False, raises, or a
// KeyboardInterrupt arrives; finish() then re-raises the callback's exception in the caller.
#pragma once

#include <pybind11/pybind11.h>

#include <exception>
#include <mutex>

#include "sim/api/run_control.h"

namespace deepsim::py {

class PythonProgress {
 public:
  // `progress` may be None. Constructed with the GIL held.
  explicit PythonProgress(pybind11::object progress);
  // The control to hand to the computation (valid while this object lives).
  [[nodiscard]] const api::RunControl& control() const { return control_; }
  // Call with the GIL held, after the computation returned or threw: re-raises a callback's exception.
  void finish();

 private:
  void report(const api::Progress& p);

  pybind11::object progress_;
  api::RunControl control_;
  std::mutex mu_;                 // the sweep reports from several threads
  std::exception_ptr error_;      // the first exception of the callback
};

}  // namespace deepsim::py

#include "errors.h"

#include "sim/api/run_control.h"
#include "sim/core/error.h"

namespace deepsim::py {
namespace pb = pybind11;

void bind_errors(pb::module_& m) {
  // Created once, owned by the module (the translator below reads them through these handles).
  static pb::handle input_error;
  static pb::handle cancelled;
  input_error = pb::exception<InputError>(m, "InputError", PyExc_ValueError);
  cancelled = pb::exception<api::Cancelled>(m, "Cancelled", PyExc_RuntimeError);
  m.attr("InputError").attr("__doc__") =
      "A scenario or argument the simulator refuses. str(e) is file:line:column: key: message (hint: ...); the "
      "parts are the attributes file, line, column, key, message and hint (line and column are 0 when unknown).";
  m.attr("Cancelled").attr("__doc__") = "A run stopped because its progress callback returned False.";
  pb::register_exception_translator([](std::exception_ptr p) {
    if (!p) return;
    try {
      std::rethrow_exception(p);
    } catch (const InputError& e) {
      // An instance with its parts as attributes, so a notebook can point at the line or the key.
      pb::object err = input_error(e.what());
      err.attr("file") = e.pos().file;
      err.attr("line") = e.pos().line;
      err.attr("column") = e.pos().column;
      err.attr("key") = e.key();
      err.attr("message") = e.message();
      err.attr("hint") = e.hint();
      PyErr_SetObject(input_error.ptr(), err.ptr());
    } catch (const api::Cancelled& e) {
      PyErr_SetString(cancelled.ptr(), e.what());
    }
  });
}

}  // namespace deepsim::py

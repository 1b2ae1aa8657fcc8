# Python bindings detection: DEEPSIM_WITH_PYTHON=AUTO turns on when a Python 3 interpreter with its
# development files and pybind11 are found (Debian: python3-dev pybind11-dev). The module, `import deepsim`,
# is built into <build>/python (docs/python.md).
#
# Which interpreter: the module is compiled against one Python's headers and ABI and must be imported by
# that same interpreter. A pyenv or venv `python3` first on PATH is not the one Debian's python3-dev
# describes, so /usr/bin/python3 is the default when it exists; pass -DPython3_EXECUTABLE=... for another
# (its own headers must then be installed). The tests run with the interpreter found here.
set(DEEPSIM_PYTHON_ENABLED OFF)
set(DEEPSIM_PYTHON_REASON "off by DEEPSIM_WITH_PYTHON=OFF")
if(DEEPSIM_CUDA_ONLY)
  set(DEEPSIM_PYTHON_REASON "off: DEEPSIM_CUDA_ONLY builds no simulator")
elseif(DEEPSIM_SANITIZE AND NOT DEEPSIM_WITH_PYTHON STREQUAL "ON")
  # An ASan-instrumented extension module needs libasan preloaded into the interpreter; the Release build
  # tests the bindings.
  set(DEEPSIM_PYTHON_REASON "off: DEEPSIM_SANITIZE (the module would need libasan preloaded into python)")
elseif(NOT DEEPSIM_WITH_PYTHON STREQUAL "OFF")
  if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
    set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "the Python the bindings are built for and tested with")
  endif()
  find_package(Python3 QUIET COMPONENTS Interpreter Development.Module)
  if(Python3_FOUND)
    # With Python3 found first, pybind11 takes its "new FindPython" mode and builds for that interpreter.
    find_package(pybind11 2.6 CONFIG QUIET)
  endif()
  if(NOT Python3_Interpreter_FOUND)
    set(DEEPSIM_PYTHON_REASON "off: no Python 3 interpreter found (Debian: python3)")
  elseif(NOT Python3_Development.Module_FOUND)
    set(DEEPSIM_PYTHON_REASON "off: no Python ${Python3_VERSION} headers for ${Python3_EXECUTABLE} (Debian: python3-dev)")
  elseif(NOT pybind11_FOUND)
    set(DEEPSIM_PYTHON_REASON "off: pybind11 not found (Debian: pybind11-dev)")
  else()
    set(DEEPSIM_PYTHON_ENABLED ON)
    set(DEEPSIM_PYTHON_REASON "Python ${Python3_VERSION} (${Python3_EXECUTABLE}), pybind11 ${pybind11_VERSION}")
  endif()
  if(DEEPSIM_WITH_PYTHON STREQUAL "ON" AND NOT DEEPSIM_PYTHON_ENABLED)
    message(FATAL_ERROR "DEEPSIM_WITH_PYTHON=ON but ${DEEPSIM_PYTHON_REASON}")
  endif()
endif()
message(STATUS "deepsim Python: ${DEEPSIM_PYTHON_REASON}")

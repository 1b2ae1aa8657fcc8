# Project options. Optional parts are AUTO/ON/OFF: AUTO turns on when the dependency is found.
set(DEEPSIM_WITH_CUDA AUTO CACHE STRING "Build kernels/ and runtime/ (AUTO, ON, OFF)")
set_property(CACHE DEEPSIM_WITH_CUDA PROPERTY STRINGS AUTO ON OFF)
set(DEEPSIM_WITH_GUI AUTO CACHE STRING "Build gui/ with Qt6 Widgets and Charts (AUTO, ON, OFF)")
set_property(CACHE DEEPSIM_WITH_GUI PROPERTY STRINGS AUTO ON OFF)
set(DEEPSIM_WITH_PYTHON AUTO CACHE STRING "Build the Python bindings, import deepsim (AUTO, ON, OFF)")
set_property(CACHE DEEPSIM_WITH_PYTHON PROPERTY STRINGS AUTO ON OFF)
set(DEEPSIM_WITH_MPI AUTO CACHE STRING "deepsim batch and plan across processes with MPI (AUTO, ON, OFF)")
set_property(CACHE DEEPSIM_WITH_MPI PROPERTY STRINGS AUTO ON OFF)
option(DEEPSIM_WARNINGS_AS_ERRORS "Treat compiler warnings as errors" ON)
option(DEEPSIM_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(DEEPSIM_BUILD_BENCH "Build the Google Benchmark programs in bench/" ON)
option(DEEPSIM_BUILD_FUZZ "Build the libFuzzer harness in tests/fuzz (clang only; see scripts/fuzz.sh)" OFF)
# The GPU machine (docs/runtime.md, "On the lent GPU machine") has CUDA, CMake and ninja but none of the
# simulator's Debian -dev packages: this builds kernels/, runtime/, their tests and deepsim-kernel-bench only,
# needing yaml-cpp, nlohmann-json and GoogleTest (scripts/gpu-bundle.sh carries them) and no Eigen, Boost, Qt.
option(DEEPSIM_CUDA_ONLY "Build only the GPU parts: kernels, runtime, their tests, deepsim-kernel-bench" OFF)
if(DEEPSIM_CUDA_ONLY)
  set(DEEPSIM_WITH_CUDA ON CACHE STRING "Build kernels/ and runtime/ (AUTO, ON, OFF)" FORCE)
  set(DEEPSIM_WITH_GUI OFF CACHE STRING "Build gui/ with Qt6 Widgets and Charts (AUTO, ON, OFF)" FORCE)
endif()

foreach(opt DEEPSIM_WITH_CUDA DEEPSIM_WITH_GUI DEEPSIM_WITH_PYTHON DEEPSIM_WITH_MPI)
  if(NOT ${opt} MATCHES "^(AUTO|ON|OFF)$")
    message(FATAL_ERROR "${opt} must be AUTO, ON or OFF, not '${${opt}}'")
  endif()
endforeach()

add_library(deepsim_warnings INTERFACE)
target_compile_options(deepsim_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
  # GCC 12 at -O2/-O3 reports false -Wrestrict positives inside libstdc++'s std::string concatenation
  # (GCC bug 105329); keep every other warning an error.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>
  $<$<BOOL:${DEEPSIM_WARNINGS_AS_ERRORS}>:-Werror>>)

if(DEEPSIM_BUILD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "DEEPSIM_BUILD_FUZZ needs clang (libFuzzer), not ${CMAKE_CXX_COMPILER_ID}; use scripts/fuzz.sh")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
    # clang 14 + libstdc++ 12: no std::source_location (see the header)
    -include ${PROJECT_SOURCE_DIR}/tests/fuzz/source_location_compat.h)
  add_link_options(-fsanitize=address,undefined)
endif()

if(DEEPSIM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  # GCC 12 with the sanitizers' instrumentation reports false -Wmaybe-uninitialized positives inside
  # libstdc++ (std::function in std::regex); the Release build keeps that warning an error.
  add_compile_options($<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
  add_link_options(-fsanitize=address,undefined)
endif()

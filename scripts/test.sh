#!/usr/bin/env bash
# Sets up (Debian packages, configure, build) and runs every test:
#  1. the full Release build (sim, CLI, calibrate, CUDA kernels and runtime where nvcc exists, GUI where
#     Qt6 exists) and all its tests; GPU tests skip with the reason printed when no GPU is present;
#  2. the simulator's tests again under AddressSanitizer + UndefinedBehaviorSanitizer;
#  3. a short (60 s) libFuzzer run on the scenario loader (scripts/fuzz.sh), skipped with the reason
#     printed where clang is missing.
# .ci/run calls this script; it is the README's test command.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=$(nproc)
export QT_QPA_PLATFORM=offscreen

echo "== Release build and tests"
"$here/scripts/setup.sh" --build-dir "$here/build"
ctest --test-dir "$here/build" --output-on-failure -j "$jobs" --timeout 600
if [ -x "$here/build/tests/kernels_tests" ]; then
  # Say why the GPU tests were skipped (or that they ran): ctest only counts them.
  reason=$("$here/build/tests/kernels_tests" --gtest_brief=1 2>&1 | grep -m1 -o "GPU test skipped: .*" || true)
  echo "GPU tests: ${reason:-ran on a GPU}"
else
  echo "GPU tests: not built (CUDA is off in this configuration)"
fi

echo "== Simulator tests under AddressSanitizer + UndefinedBehaviorSanitizer"
"$here/scripts/setup.sh" --build-dir "$here/build-asan" --type RelWithDebInfo \
  -DDEEPSIM_SANITIZE=ON -DDEEPSIM_WITH_CUDA=OFF -DDEEPSIM_WITH_GUI=OFF -DDEEPSIM_BUILD_BENCH=OFF \
  -DDEEPSIM_WITH_MPI=OFF -DDEEPSIM_WITH_PYTHON=OFF
# Left out here, run by the Release stage above: the Python bindings (an ASan module needs libasan
# preloaded into python), MPI (Open MPI's own allocations trip LeakSanitizer at
# exit) and DocCommands (every README command end to end: minutes more under ASan, no new code paths).
echo "sanitizer stage: MPI off and DocCommands.EveryCommandRunsAsWritten left out (both run in the Release stage)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$here/build-asan" --output-on-failure -j "$jobs" --timeout 900 \
  -E 'DocCommands.EveryCommandRunsAsWritten' 

echo "== Fuzzing the scenario loader and --set overrides (60 s)"
if command -v clang++ >/dev/null; then
  "$here/scripts/fuzz.sh" 60
else
  echo "fuzz: skipped: clang++ not found (scripts/setup.sh installs clang and libclang-rt-14-dev)"
fi

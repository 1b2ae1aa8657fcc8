#!/usr/bin/env bash
# CTest check of the GPU machine's build path (docs/runtime.md): a CUDA-only configure that finds yaml-cpp,
# nlohmann-json and GoogleTest in a scripts/gpu-bundle.sh prefix alone, with /usr hidden from CMake's package
# search (CMAKE_IGNORE_PREFIX_PATH) and Eigen, Boost, Qt and Google Benchmark disabled, as on that machine.
# Passes when the configure succeeds, every package came from the bundle, and the build has the four GPU
# targets and no simulator target.
#   configure_check.sh SOURCE_DIR WORK_DIR NVCC NCCL_INCLUDE NCCL_LIBRARY
set -euo pipefail
src=$1 work=$2 nvcc=$3 nccl_inc=$4 nccl_lib=$5
rm -rf "$work"; mkdir -p "$work"
"$src/scripts/gpu-bundle.sh" --deps-only --out "$work/bundle" > "$work/bundle.log"
p=$work/bundle/prefix/usr
cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDEEPSIM_CUDA_ONLY=ON \
  -DCMAKE_CUDA_COMPILER="$nvcc" -DCMAKE_CUDA_ARCHITECTURES=90a -DCMAKE_IGNORE_PREFIX_PATH=/usr \
  -DCMAKE_PREFIX_PATH="$p" -DCMAKE_DISABLE_FIND_PACKAGE_Eigen3=ON -DCMAKE_DISABLE_FIND_PACKAGE_Boost=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_Qt6=ON -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON \
  -DDEEPSIM_NCCL_INCLUDE="$nccl_inc" -DDEEPSIM_NCCL_LIBRARY="$nccl_lib" > "$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; echo "FAIL: CUDA-only configure"; exit 1; }
fail=0
for var in yaml-cpp_DIR nlohmann_json_DIR GTest_DIR; do
  v=$(sed -n "s/^$var:[A-Z]*=//p" "$work/build/CMakeCache.txt")
  case "$v" in "$work/bundle/"*) echo "ok: $var=$v" ;; *) echo "FAIL: $var=$v is not from the bundle"; fail=1 ;; esac
done
ninja -C "$work/build" -t targets all > "$work/targets.txt"
for t in kernels_tests runtime_tests deepsim-exec deepsim-kernel-bench; do
  if grep -q "^$t:" "$work/targets.txt"; then echo "ok: target $t"; else echo "FAIL: no target $t"; fail=1; fi
done
for t in deepsim deepsim-calibrate step_tests calibrate_tests deepsim_sim; do
  if grep -q "^$t:" "$work/targets.txt"; then echo "FAIL: simulator target $t in a CUDA-only build"; fail=1; fi
done
exit $fail

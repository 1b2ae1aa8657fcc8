#!/usr/bin/env bash
# The project's GPU check: one prepared command for a machine with one Hopper GPU (the lent H200: CUDA 13,
# CMake, ninja, Python; no network, no Debian -dev packages). docs/runtime.md, "On the lent GPU machine".
#
#   here:  scripts/gpu-bundle.sh                     # .gpubundle/: dependencies (+ binaries from a CUDA build)
#   there: bash scripts/gpu-check.sh [--build]       # with .gpubundle carried; results in $OUT
#
# Steps, each under its own timeout inside DEVICE_BUDGET_S (default 480 s; a step starts only if it fits):
#   1. environment: nvidia-smi, nvcc, the CUDA libraries, NCCL (toolkit, system or Python wheel)
#   2. binaries: the carried ones when they load here (unless --build), else a CUDA-only build
#      (-DDEEPSIM_CUDA_ONLY=ON against .gpubundle/prefix) into build-gpu/
#   3. kernels_tests, one GPU suite per process (a sticky CUDA error fails only its suite); runtime_tests
#   4. deepsim-kernel-bench -> kernel-bench.json
#   5. deepsim-exec tiny BF16 + FP8 (--debug-checks: NaN/Inf check after every op), small BF16 + FP8 (CUPTI)
# Results (at most 8 files, the device tool's limit): log.txt, kernels-tests.tgz, runtime-tests.json,
# kernel-bench.json, exec-runs.tgz (measured-run.json + trace.json + stdout of each run), summary.txt.
# Without $OUT (a GPU machine of your own) they go to calibrate/data/measured/<date>-<gpu>/.
# Every measured-run.json records the device (name, SMs, clocks, memory bandwidth), driver, CUDA and date.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bundle=$repo/.gpubundle
force_build=0
[ "${1:-}" = "--build" ] && force_build=1
budget=${DEVICE_BUDGET_S:-480}
t0=$SECONDS
stamp=$(date -u +%Y%m%dT%H%MZ)
if [ -z "${OUT:-}" ]; then
  gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 | tr -c 'A-Za-z0-9\n' '-' | tr -s '-')
  OUT=$repo/calibrate/data/measured/$stamp-${gpu:-gpu}
fi
mkdir -p "$OUT"
work=${TMPDIR:-/tmp}/deepsim-gpu-check
rm -rf "$work"; mkdir -p "$work/kt" "$work/runs"
exec > >(tee "$OUT/log.txt") 2>&1

step() { echo; echo "=== [$((SECONDS - t0)) s] $*"; }
fits() { [ $((SECONDS - t0 + $1)) -le "$budget" ] || { echo "--- skipped: would pass the ${budget} s budget"; return 1; }; }
run_t() { local t=$1; shift; timeout --kill-after=10 "$t" "$@"; local rc=$?; echo "--- rc=$rc ($*)"; return $rc; }

step "environment (commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || cat "$bundle/COMMIT" 2>/dev/null))"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.memory --format=csv || nvidia-smi
nvcc_bin=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
"$nvcc_bin" --version | tail -2; cmake --version | head -1; ninja --version; nproc

# NCCL is not part of the CUDA toolkit: the toolkit's folders, the system's, or PyTorch's nvidia-nccl wheel.
nccl_inc=""; nccl_lib=""
for d in /usr/local/cuda/include /usr/local/cuda/targets/x86_64-linux/include /usr/include \
         $(python3 -c 'import nvidia.nccl, os; print(os.path.join(list(nvidia.nccl.__path__)[0], "include"))' 2>/dev/null); do
  [ -f "$d/nccl.h" ] && { nccl_inc=$d; break; }
done
for d in /usr/local/cuda/lib /usr/local/cuda/lib64 /usr/lib/x86_64-linux-gnu \
         $(python3 -c 'import nvidia.nccl, os; print(os.path.join(list(nvidia.nccl.__path__)[0], "lib"))' 2>/dev/null); do
  f=$(ls "$d"/libnccl.so* 2>/dev/null | head -1); [ -n "$f" ] && { nccl_lib=$f; break; }
done
echo "NCCL: include ${nccl_inc:-NOT FOUND}, library ${nccl_lib:-NOT FOUND}"
libdirs="$bundle/lib:$bundle/prefix/usr/lib/x86_64-linux-gnu${nccl_lib:+:$(dirname "$nccl_lib")}"
export LD_LIBRARY_PATH="$libdirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

bin=""
if [ "$force_build" = 0 ] && [ -x "$bundle/bin/deepsim-exec" ]; then
  step "carried binaries (built from $(cat "$bundle/COMMIT" 2>/dev/null))"
  # The tests read scenarios/ from the source folder they were built in; point it at this checkout.
  src=$(cat "$bundle/SOURCE_DIR" 2>/dev/null)
  if [ -n "$src" ] && [ "$src" != "$repo" ] && [ ! -e "$src" ]; then mkdir -p "$(dirname "$src")" && ln -s "$repo" "$src"; fi
  if ldd "$bundle"/bin/* | grep "not found"; then echo "--- carried binaries miss libraries: building"
  elif ! "$bundle/bin/deepsim-exec" --version; then echo "--- carried deepsim-exec does not start: building"
  else bin=$bundle/bin; fi
fi
if [ -z "$bin" ]; then
  step "CUDA-only build (kernels, runtime, their tests, deepsim-kernel-bench) into build-gpu/"
  [ -d "$bundle/prefix/usr" ] || { echo "no $bundle/prefix: run scripts/gpu-bundle.sh here and carry .gpubundle"; exit 2; }
  [ -n "$nccl_inc" ] && [ -n "$nccl_lib" ] || { echo "NCCL not found: deepsim-exec needs it"; exit 2; }
  p=$bundle/prefix/usr
  fits 60 && run_t 60 cmake -S "$repo" -B "$repo/build-gpu" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDEEPSIM_CUDA_ONLY=ON \
    -DCMAKE_CUDA_COMPILER="$nvcc_bin" -DCMAKE_CUDA_ARCHITECTURES=90a -DCMAKE_PREFIX_PATH="$p" \
    -Dyaml-cpp_DIR="$p/lib/x86_64-linux-gnu/cmake/yaml-cpp" -DGTest_DIR="$p/lib/x86_64-linux-gnu/cmake/GTest" \
    -Dnlohmann_json_DIR="$p/share/cmake/nlohmann_json" -DDEEPSIM_NCCL_INCLUDE="$nccl_inc" \
    -DDEEPSIM_NCCL_LIBRARY="$nccl_lib" > "$work/configure.log" 2>&1 || { tail -30 "$work/configure.log"; exit 1; }
  fits 300 && run_t 300 ninja -C "$repo/build-gpu" -j "$(nproc)" kernels_tests runtime_tests deepsim-exec deepsim-kernel-bench \
    > "$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
  mkdir -p "$work/bin"
  cp "$repo"/build-gpu/tests/kernels_tests "$repo"/build-gpu/tests/runtime_tests "$repo"/build-gpu/runtime/deepsim-exec \
     "$repo"/build-gpu/kernels/deepsim-kernel-bench "$work/bin/"
  bin=$work/bin
fi

step "kernels_tests: every GPU suite in its own process"
for s in $("$bin/kernels_tests" --gtest_list_tests | awk '/^[^ ]/ {print $1}' | grep Gpu); do
  fits 90 || break
  n=${s//\//_}; n=${n%.}
  run_t 90 "$bin/kernels_tests" --gtest_filter="${s}*" --gtest_output="json:$work/kt/$n.json" > "$work/kt/$n.log" 2>&1
  grep -E "^\[  FAILED  \]|^\[  (PASSED|SKIPPED) +\] [0-9]|Failure$|Expected|Which is|what\(\)|CUDA error" "$work/kt/$n.log" | head -8
done
tar -C "$work" -czf "$OUT/kernels-tests.tgz" kt

step "runtime_tests (GPU training: loss falls, FP8 vs BF16, GPU vs CPU reference, NaN stop; the CPU tests too)"
fits 200 && run_t 200 "$bin/runtime_tests" --gtest_output="json:$OUT/runtime-tests.json" 2>&1 | grep -E "^\[  (FAILED|PASSED|SKIPPED)|Failure$|Expected|Which is|what\(\)" | head -30

step "deepsim-kernel-bench (FP8 GEMMs at DeepSeek-V3 shapes)"
fits 120 && run_t 120 "$bin/deepsim-kernel-bench" "$OUT/kernel-bench.json" --warmup 3 --repeats 10

step "deepsim-exec: tiny BF16 and FP8 (10 steps, NaN checks), small BF16 and FP8 (4 steps, CUPTI)"
cfg=scenarios/exec
sed 's/precision: bf16/precision: fp8/' $cfg/tiny.yaml > "$work/tiny-fp8.yaml"
sed 's/precision: fp8/precision: bf16/' $cfg/small.yaml > "$work/small-bf16.yaml"
exe() { local name=$1 t=$2; shift 2; fits "$t" && run_t "$t" "$bin/deepsim-exec" "$@" --out "$work/runs/$name" > "$work/runs/$name.txt" 2>&1; tail -4 "$work/runs/$name.txt"; }
( cd "$repo"
  exe tiny-bf16 60 --config $cfg/tiny.yaml --steps 10 --debug-checks
  exe tiny-fp8 60 --config "$work/tiny-fp8.yaml" --exec $cfg/tiny.exec.yaml --steps 10 --debug-checks
  exe small-bf16 120 --config "$work/small-bf16.yaml" --exec $cfg/small.exec.yaml --steps 4
  exe small-fp8 120 --config $cfg/small.yaml --steps 4 )
tar -C "$work" -czf "$OUT/exec-runs.tgz" runs
[ "$(stat -c %s "$OUT/exec-runs.tgz")" -lt 15000000 ] || tar -C "$work" -czf "$OUT/exec-runs.tgz" --exclude='trace*.json' runs

step "summary"
python3 - "$work/runs" > "$OUT/summary.txt" 2>&1 <<'PY'
import json, os, sys, collections
root = sys.argv[1]
for name in sorted(os.listdir(root)):
    f = os.path.join(root, name, "measured-run.json")
    if not os.path.isfile(f):
        continue
    r = json.load(open(f))
    timed = [s for s in r["steps"] if not s.get("warmup")]
    ms = sorted(s["time_ms"] for s in timed) or [0]
    print(f"{name}: {r['device']}  steps {len(r['steps'])}, median step {ms[len(ms) // 2]:.2f} ms, "
          f"loss {r['steps'][0]['loss']:.4f} -> {r['steps'][-1]['loss']:.4f}, kernels {len(r['kernels'])}")
    by = collections.defaultdict(float)
    for k in r["kernels"]:
        if k.get("step", -1) >= 1:
            by[k.get("family", "?")] += (k["end_ns"] - k["start_ns"]) / 1e6 / max(1, len(timed))
    print("   per step by family (ms): " + ", ".join(f"{f} {t:.2f}" for f, t in sorted(by.items(), key=lambda x: -x[1])))
PY
cat "$OUT/summary.txt"
if [ "$OUT" != "${OUT#"$repo"/calibrate/data/}" ]; then
  # A machine of your own: unpack the measured runs beside the log for `deepsim compare` and the fits.
  tar -C "$OUT" -xzf "$OUT/exec-runs.tgz"
fi
step "done in $((SECONDS - t0)) s"; ls -la "$OUT"
sleep 1  # let tee flush log.txt

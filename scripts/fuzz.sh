#!/usr/bin/env bash
# Fuzzes the scenario loader and --set overrides with libFuzzer (tests/fuzz/scenario_fuzz.cpp).
# Usage: scripts/fuzz.sh [SECONDS] [libFuzzer options...]     (default 60 s: the short run CI does)
#   a longer run:  scripts/fuzz.sh 3600 -jobs=2 -workers=2
# Builds with Debian's clang 14 in build-fuzz/ (-fsanitize=fuzzer,address,undefined), seeds the corpus
# with every shipped scenario (and a few with --set lines), and keeps what it learns in build-fuzz/corpus.
# A crash, a leak, a hang (-timeout), an exception other than InputError, or a scenario that does not
# round-trip through to_yaml stops the run and leaves the input in build-fuzz/crash-*; exit non-zero.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-60}
shift || true
build="$here/build-fuzz"

if ! command -v clang++ >/dev/null; then
  echo "fuzz: skipped: clang++ not found (install clang and libclang-rt-14-dev; scripts/setup.sh lists them)"
  exit 0
fi
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}" CCACHE_BASEDIR="$here" CCACHE_NOHASHDIR=1
CC=clang CXX=clang++ cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDEEPSIM_BUILD_FUZZ=ON -DDEEPSIM_WARNINGS_AS_ERRORS=OFF -DDEEPSIM_WITH_CUDA=OFF -DDEEPSIM_WITH_GUI=OFF \
  -DDEEPSIM_BUILD_BENCH=OFF -DDEEPSIM_WITH_PYTHON=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target scenario_fuzz

seeds="$build/seeds"
mkdir -p "$seeds" "$build/corpus"
find "$here/scenarios" -name '*.yaml' -not -path '*/exec/*' | while read -r f; do
  cp "$f" "$seeds/$(echo "${f#"$here"/}" | tr '/' '_')"
done
{ cat "$here/scenarios/default.yaml"; printf '%%%%set\nparallel.pp=8\nparallel.dp=256\nparallel.micro_batches=60\n'; } \
  >"$seeds/default-with-set.yaml"
{ cat "$here/scenarios/default.yaml"; printf '%%%%set\ncluster.gpu=H100\nmodel.preset=deepseek-v2\n'; } \
  >"$seeds/default-with-preset.yaml"

cd "$build"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ./tests/fuzz/scenario_fuzz -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 "$@" corpus "$seeds"

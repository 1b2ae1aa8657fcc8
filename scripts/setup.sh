#!/usr/bin/env bash
# Installs the Debian packages deepsim needs (only those missing), then configures and builds.
# Usage: scripts/setup.sh [--deps-only] [--no-apt] [--build-dir DIR] [--type Release|Debug|Asan] [cmake args...]
# Idempotent: a second run installs nothing and rebuilds only what changed. --no-apt (or DEEPSIM_NO_APT=1)
# never calls apt-get: a machine without network (the lent GPU machine) reports what is missing and stops;
# there, use scripts/gpu-check.sh (a CUDA-only build against scripts/gpu-bundle.sh's prefix) instead.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  libyaml-cpp-dev libeigen3-dev libboost-graph-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev libopenmpi-dev openmpi-bin
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev libxkbcommon-dev libgl-dev
  python3-dev pybind11-dev python3-pandas  # the Python bindings (python/, docs/python.md); pandas is optional
  clang libclang-rt-14-dev  # the libFuzzer harness (scripts/fuzz.sh, tests/fuzz/)
)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir="$here/build"
build_type=Release
deps_only=0
no_apt=${DEEPSIM_NO_APT:-0}
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --deps-only) deps_only=1 ;;
    --no-apt) no_apt=1 ;;
    --build-dir) build_dir="$2"; shift ;;
    --type) build_type="$2"; shift ;;
    *) extra+=("$1") ;;
  esac
  shift
done

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] && [ "$no_apt" = 1 ]; then
  echo "setup: missing Debian packages and --no-apt: ${missing[*]}" >&2
  echo "setup: on a machine without them (the GPU machine) run scripts/gpu-check.sh (docs/runtime.md)" >&2
  exit 2
elif [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${#missing[@]} missing Debian packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#PACKAGES[@]} Debian packages present"
fi
[ "$deps_only" = 1 ] && exit 0

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# Relative paths in the cache keys, so a fresh clone elsewhere (CI) reuses what an earlier build compiled.
export CCACHE_BASEDIR="$here" CCACHE_NOHASHDIR=1
cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" "${extra[@]}"
cmake --build "$build_dir" -j "$(nproc)"

#!/usr/bin/env bash
# Prepares, on a development machine (Debian 12 with scripts/setup.sh's packages), what the lent GPU machine
# lacks to build and run the GPU parts (docs/runtime.md, "On the lent GPU machine"). That machine has CUDA 13,
# CMake, ninja and Python but no Debian -dev packages and no network.
#
#   scripts/gpu-bundle.sh [--deps-only] [--out DIR] [--build-dir BUILD]
#
# DIR (default .gpubundle, git-ignored) receives
#   prefix/usr/...   the installed files of libyaml-cpp-dev (+ its shared library), nlohmann-json3-dev,
#                    libgtest-dev and libgmock-dev, copied from this machine (no download): a CMake prefix
#                    for `-DDEEPSIM_CUDA_ONLY=ON -DCMAKE_PREFIX_PATH=DIR/prefix/usr`, about 6 MB
#   bin/, lib/       unless --deps-only, and when BUILD has them: kernels_tests, runtime_tests, deepsim-exec and
#                    deepsim-kernel-bench from a CUDA build here (strip --strip-debug) and the non-CUDA shared
#                    libraries they load, so scripts/gpu-check.sh can skip the build when they run there
#   COMMIT, SOURCE_DIR  the commit and the source folder the binaries were built from
# Then, in a session with a GPU: run `bash scripts/gpu-check.sh` with carry [".gpubundle"].
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$here/.gpubundle"
build="$here/build"
deps_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --deps-only) deps_only=1 ;;
    --out) out="$2"; shift ;;
    --build-dir) build="$2"; shift ;;
    *) echo "usage: $0 [--deps-only] [--out DIR] [--build-dir BUILD]" >&2; exit 2 ;;
  esac
  shift
done

rm -rf "$out"
mkdir -p "$out/prefix"
# Headers, static and shared libraries and CMake package files; documentation and sources stay behind.
for pkg in libyaml-cpp-dev nlohmann-json3-dev libgtest-dev libgmock-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
    { echo "gpu-bundle: $pkg is not installed here (scripts/setup.sh --deps-only)" >&2; exit 2; }
  dpkg -L "$pkg" | grep -E '^/usr/(include|lib|share/cmake|share/pkgconfig)/' | while read -r f; do
    if [ -f "$f" ] || [ -L "$f" ]; then (cd / && cp -a --parents "${f#/}" "$out/prefix/"); fi
  done
done
# The shared library the -dev package's libyaml-cpp.so symlink points to (package libyaml-cpp0.7 on Debian 12).
for f in /usr/lib/x86_64-linux-gnu/libyaml-cpp.so.*; do (cd / && cp -a --parents "${f#/}" "$out/prefix/"); done

if [ "$deps_only" = 0 ]; then
  bins=(tests/kernels_tests tests/runtime_tests runtime/deepsim-exec kernels/deepsim-kernel-bench)
  have=1
  for b in "${bins[@]}"; do [ -x "$build/$b" ] || have=0; done
  if [ "$have" = 1 ]; then
    mkdir -p "$out/bin" "$out/lib"
    for b in "${bins[@]}"; do cp "$build/$b" "$out/bin/"; done
    strip --strip-debug "$out"/bin/* 2>/dev/null || true
    # Shared libraries other than the CUDA ones (the GPU machine has its own driver and toolkit) and glibc.
    for b in "$out"/bin/*; do ldd "$b"; done | awk '/=> \// {print $3}' | sort -u |
      grep -v -E 'libcuda|libcudart|libcublas|libnccl|libcupti|libnvrtc|libc\.so|libm\.so|libdl|libpthread|librt|libutil|ld-linux' |
      while read -r lib; do cp -L "$lib" "$out/lib/"; done
    sed -n 's/.*DEEPSIM_SOURCE_DIR=\\"\([^\\]*\)\\".*/\1/p' "$build/build.ninja" | head -1 > "$out/SOURCE_DIR"
  else
    echo "gpu-bundle: no CUDA build in $build (scripts/setup.sh -DDEEPSIM_WITH_CUDA=ON): dependencies only;" \
         "gpu-check.sh will build on the GPU machine"
  fi
fi
git -C "$here" rev-parse HEAD > "$out/COMMIT" 2>/dev/null || true
echo "gpu-bundle: $out = $(du -sh "$out" | cut -f1) (carry it: the device tool sends at most 64 MiB with the tree)"

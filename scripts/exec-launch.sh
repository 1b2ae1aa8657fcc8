#!/usr/bin/env bash
# Launches deepsim-exec with one process per GPU (docs/runtime.md, "Launcher").
#
#   scripts/exec-launch.sh N [deepsim-exec arguments...]
#
# Starts N processes on this node with RANK, WORLD_SIZE, LOCAL_RANK and DEEPSIM_NCCL_ID_FILE set; rank 0
# writes the NCCL unique id to that file and the others read it. Several nodes: run the script on every node
# with NNODES, NODE_RANK and DEEPSIM_NCCL_ID_FILE (a path on a filesystem all nodes share) set; N is then the
# GPUs per node and RANK = NODE_RANK * N + LOCAL_RANK. DEEPSIM_EXEC overrides the binary; default: the first
# of build/runtime/deepsim-exec (scripts/setup.sh's build folder) and build-gpu/runtime/deepsim-exec (the
# CUDA-only build scripts/gpu-check.sh makes) that exists. Exits with the first non-zero exit code of the ranks.
set -euo pipefail

if [[ $# -lt 1 || ! "$1" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 GPUS_PER_NODE [deepsim-exec arguments...]" >&2
  exit 2
fi
gpus="$1"
shift
nnodes="${NNODES:-1}"
node_rank="${NODE_RANK:-0}"
root="$(cd "$(dirname "$0")/.." && pwd)"
exe="${DEEPSIM_EXEC:-}"
if [[ -z "$exe" ]]; then
  for candidate in "$root/build/runtime/deepsim-exec" "$root/build-gpu/runtime/deepsim-exec"; do
    if [[ -x "$candidate" ]]; then exe="$candidate"; break; fi
  done
fi
if [[ -z "$exe" || ! -x "$exe" ]]; then
  echo "$0: no deepsim-exec: build with scripts/setup.sh (CUDA on) or scripts/gpu-check.sh, or set DEEPSIM_EXEC" >&2
  exit 2
fi
world=$((nnodes * gpus))

if [[ -z "${DEEPSIM_NCCL_ID_FILE:-}" ]]; then
  if [[ "$nnodes" -gt 1 ]]; then
    echo "$0: set DEEPSIM_NCCL_ID_FILE to a path on a filesystem every node shares" >&2
    exit 2
  fi
  tmpdir="$(mktemp -d)"
  trap 'rm -rf "$tmpdir"' EXIT
  export DEEPSIM_NCCL_ID_FILE="$tmpdir/nccl-id"
fi
# A stale id from an earlier run would connect rank > 0 to nobody.
if [[ "$node_rank" -eq 0 ]]; then rm -f "$DEEPSIM_NCCL_ID_FILE"; fi

pids=()
for ((local = 0; local < gpus; ++local)); do
  rank=$((node_rank * gpus + local))
  RANK="$rank" WORLD_SIZE="$world" LOCAL_RANK="$local" "$exe" "$@" &
  pids+=("$!")
done
status=0
for pid in "${pids[@]}"; do
  rc=0
  wait "$pid" || rc=$?
  if [[ "$status" -eq 0 && "$rc" -ne 0 ]]; then status="$rc"; fi
done
exit "$status"

#!/usr/bin/env bash
# `mpirun -np 3 deepsim batch|plan` writes the same results.csv / plans.csv bytes as one process, with a
# failing sweep point among the others (its error row is the same too). Run by ctest when deepsim is
# built with MPI; CI runs as root, hence --allow-run-as-root.
# Usage: mpi_results_test.sh DEEPSIM MPIRUN SOURCE_DIR
set -euo pipefail
deepsim=$1 mpirun=$2 src=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$src/scenarios/examples/small-h100.yaml" "$work/base.yaml"
cat > "$work/sweep.yaml" <<'YAML'
sweep: 1
base: base.yaml
grid:
  parallel.schedule: [1f1b, gpipe, zb1p]
zip:
  parallel.dp: [8, 3]   # dp 3 does not fit 16 GPUs at pp 2: a failing point
  parallel.ep: [8, 1]
YAML
mpi=("$mpirun" --oversubscribe --allow-run-as-root -np 3)
# Open MPI on a box without a network: loopback and shared memory only; let idle ranks yield.
export OMPI_MCA_btl=self,vader OMPI_MCA_mpi_yield_when_idle=1 OMPI_MCA_btl_vader_single_copy_mechanism=none

"$deepsim" batch "$work/sweep.yaml" --out "$work/one" --quiet --jobs 1 > "$work/one.log" 2>&1 || true
"${mpi[@]}" "$deepsim" batch "$work/sweep.yaml" --out "$work/mpi" --quiet > "$work/mpi.log" 2>&1 || true
grep -q ',error,' "$work/one/results.csv" || { echo "expected a failing point in results.csv"; cat "$work/one.log"; exit 1; }
[ "$(grep -c ',ok,' "$work/one/results.csv")" = 3 ] || { echo "expected 3 good points"; cat "$work/one/results.csv"; exit 1; }
cmp "$work/one/results.csv" "$work/mpi/results.csv" || { echo "batch: results.csv differs under MPI"; cat "$work/mpi.log"; exit 1; }
cmp "$work/one/summary.md" "$work/mpi/summary.md" || { echo "batch: summary.md differs under MPI"; exit 1; }

vary=(--vary parallel.pp=1,2 --vary parallel.ep=4,8 --vary parallel.schedule=1f1b,zb1p --vary cluster.nodes=2
      --vary training.recompute=none --vary parallel.zero_stage=1 --vary parallel.micro_batch_size=1)
"$deepsim" plan "$work/base.yaml" "${vary[@]}" --out "$work/plan-one" --jobs 1 > "$work/plan-one.log" 2>&1
"${mpi[@]}" "$deepsim" plan "$work/base.yaml" "${vary[@]}" --out "$work/plan-mpi" > "$work/plan-mpi.log" 2>&1
cmp "$work/plan-one/plans.csv" "$work/plan-mpi/plans.csv" || { echo "plan: plans.csv differs under MPI"; cat "$work/plan-mpi.log"; exit 1; }
cmp "$work/plan-one/plans.json" "$work/plan-mpi/plans.json" || { echo "plan: plans.json differs under MPI"; exit 1; }
echo "MPI results match one process byte for byte"

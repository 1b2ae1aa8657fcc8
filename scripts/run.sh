#!/usr/bin/env bash
# Sets up (Debian packages, configure, build) and runs the main job: `deepsim run` on a scenario
# (default: scenarios/default.yaml, DeepSeek-V3 pre-training on 2048 H800), writing reports to out/.
# Usage: scripts/run.sh [SCENARIO.yaml] [extra deepsim run options]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/setup.sh" --build-dir "$here/build"
scenario="${1:-$here/scenarios/default.yaml}"
[ $# -gt 0 ] && shift
name=$(basename "$scenario" .yaml)
exec "$here/build/sim/deepsim" run "$scenario" --out "$here/out/$name" "$@"

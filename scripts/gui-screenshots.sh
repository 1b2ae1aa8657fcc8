#!/usr/bin/env bash
# Saves a PNG of each main view of deepsim-gui to docs/gui/, on the shipped scenarios: the scenario
# forms, the results dashboard, the pipeline timeline, predicted vs measured (with the synthetic example
# compare.json of tests/gui/data, labelled so), a what-if sweep, its pinned runs overlaid by phase and
# the serving what-if.
# Headless: QT_QPA_PLATFORM=offscreen and QWidget::grab (no X server needed).
# Usage: scripts/gui-screenshots.sh [BUILD_DIR]   (default: build; needs -DDEEPSIM_WITH_GUI=ON)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${1:-$here/build}"
gui="$build/gui/deepsim-gui"
[ -x "$gui" ] || { echo "gui-screenshots: $gui not built (configure with -DDEEPSIM_WITH_GUI=ON)" >&2; exit 2; }
out="$here/docs/gui"
mkdir -p "$out"
export QT_QPA_PLATFORM=offscreen
example="$here/tests/gui/data/compare-example.json"

# DeepSeek-V3 on 2048 H800: DualPipe, 16 stages; sweep the schedule against the SMs given to all-to-all,
# pin the run and two points (the pinned overlay); serve it the way DeepSeek does and sweep the decode batch.
# Predicted vs measured: the synthetic compare.json and a real Kineto excerpt (one MoE layer pair, H800).
kineto="$here/tests/calibrate/data/dpsk-train-layer-pair.json"
"$gui" "$here/scenarios/default.yaml" --screenshots "$out" --prefix default --measured "$example" --measured "$kineto" \
  --sweep "parallel.schedule=dualpipe,1f1b,zb1p" --sweep2 "parallel.comm_sms=16,20,24" \
  --serving "$here/scenarios/serving/deepseek-v3-h800.yaml" --serve-sweep "serving.decode.batch_per_gpu=32,64,128,256,512"
# The small H100 cluster: one-parameter curve over the GPU model.
"$gui" "$here/scenarios/examples/small-h100.yaml" --screenshots "$out" --prefix small-h100 --measured "$example" \
  --sweep "cluster.gpu=H100,H800,H200,H20,B200"
ls -l "$out"/*.png

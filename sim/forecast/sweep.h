// Sweep files: a base scenario and lists of values for scenario keys, expanded into `--set` overrides
// (docs/forecast.md, "Sweeps"). The points are never all materialised: point i is decoded from its index,
// so a sweep of millions streams.
//
//   sweep: 1                        # marks a sweep file (a scenario starts with schema: 1)
//   name: h800-vs-h100
//   base: ../full-run/deepseek-v3.yaml   # relative to the sweep file
//   kind: train                     # what a point runs: train (deepsim run, the default) or serve
//   set: {training.tokens: 1T}      # overrides applied to every point (optional)
//   grid:                           # cartesian product, first key slowest
//     cluster.gpu: [H800, H100]
//     parallel.ep: [32, 64]
//   zip:                            # lists stepped together, one axis after the grid axes
//     cluster.nodes: [256, 2048]
//     parallel.dp: [128, 1024]
//
// Points are ordered row-major over the axes (grid keys in file order, then the zip axis), the last axis
// fastest: size = product of grid list lengths x zip length. Keys are checked against the scenario schema
// and values against their key's type and range when the sweep is loaded, with file:line:column errors and
// did-you-mean hints; checks across keys happen when a point is loaded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/error.h"

namespace deepsim {

// The most points one sweep file may expand to. At about a second per point a million points is days of
// one machine's time; a sweep over that is refused when it is read, naming this limit.
inline constexpr std::uint64_t kMaxSweepPoints = 1'000'000;

struct SweepAxis {
  std::vector<std::string> keys;                 // one for a grid axis, several for the zip axis
  std::vector<std::vector<std::string>> values;  // values[position][key], as YAML text
};

struct Sweep {
  std::string file;
  std::string name;
  std::string base;                   // path of the base scenario, resolved against the sweep's folder
  // What each point runs (`kind:`): "train" (the training run of `deepsim run`; the default) or "serve"
  // (the serving study of `deepsim serve`, docs/serving.md). A scenario may hold both a training plan
  // and a serving: section, so the sweep says which it measures. kind_pos: where the key is ({} if absent).
  std::string kind = "train";
  SourcePos kind_pos;
  std::vector<std::string> fixed;     // "key=value" applied to every point
  std::vector<SweepAxis> axes;

  [[nodiscard]] std::uint64_t size() const;
  // The overrides of point i (fixed ones first), and a short label ("cluster.gpu=H100 parallel.ep=32").
  [[nodiscard]] std::vector<std::string> overrides_at(std::uint64_t i) const;
  [[nodiscard]] std::string label_at(std::uint64_t i) const;
};

// True when the YAML text's top level has a `sweep:` key.
[[nodiscard]] bool is_sweep_text(std::string_view yaml);
[[nodiscard]] bool is_sweep_file(const std::string& path);
// Throws InputError (file:line:column, key, hint) for a bad sweep.
[[nodiscard]] Sweep parse_sweep(std::string_view yaml, const std::string& display_name);
[[nodiscard]] Sweep load_sweep_file(const std::string& path);

}  // namespace deepsim

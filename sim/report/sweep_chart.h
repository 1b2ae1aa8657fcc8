// The chart a batch summary opens with: every scenario's cost against its wall-clock days as an inline
// SVG scatter, the Pareto front (no other plan that fits is both cheaper and faster) marked and joined,
// plans that do not fit in HBM drawn hollow, each point a link to its report.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace deepsim {

struct SweepChartPoint {
  std::uint64_t index = 0;
  std::string label;
  double days = 0;
  double cost_usd = 0;
  bool fits = true;
  bool pareto = false;
  std::string href;  // the point's report, relative to the summary; "" for none
};

// `points_total` is how many scenarios the batch had (the chart may hold fewer: the caller bounds it).
[[nodiscard]] std::string sweep_chart_svg(const std::vector<SweepChartPoint>& points, std::uint64_t points_total);

}  // namespace deepsim

// Two chart shapes the reports need, drawn with svg.h: horizontal bars (one value per row) and
// horizontal stacked bars (segments per row, a shared legend, an optional marker line such as HBM size).
#pragma once

#include <string>
#include <vector>

namespace deepsim {

struct Bar {
  std::string label;
  double value = 0;
  std::string value_text;  // printed after the bar
};

struct Segment {
  double value = 0;
  int series = 0;  // index into StackedChart::series
};

struct StackedRow {
  std::string label;
  std::vector<Segment> segments;
};

struct StackedChart {
  std::string title;
  std::string axis_unit;            // "s", "GB"
  std::string axis_title{};         // what the axis measures, e.g. "time"; printed as "time (s)"
  std::vector<std::string> series;  // legend names, coloured in order
  std::vector<StackedRow> rows;
  double marker = 0;                // a vertical dashed line at this value (0: none)
  std::string marker_label;
};

// `axis_title` names the value axis with its unit, e.g. "GPU-hours" or "utilisation (%)".
[[nodiscard]] std::string bar_chart_svg(const std::string& title, const std::vector<Bar>& bars,
                                        const std::string& axis_title);
[[nodiscard]] std::string stacked_chart_svg(const StackedChart& chart);
// The colour of series i (a fixed palette, repeated).
[[nodiscard]] const char* series_colour(int i);

}  // namespace deepsim

#include "sim/report/bar_chart.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "sim/core/format.h"
#include "sim/report/svg.h"

namespace deepsim {
namespace {

constexpr double kWidth = 760;
constexpr double kLabelWidth = 170;
constexpr double kValueWidth = 110;
constexpr double kRowHeight = 20;
constexpr double kTop = 28;

// A round axis maximum (1, 2 or 5 x 10^k) at or above v, so ticks read well.
double nice_max(double v) {
  if (v <= 0) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (const double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= v) return m * p;
  return 10 * p;
}

std::string tick_text(double v) { return v >= 100 || v == std::floor(v) ? fixed(v, 0) : fixed(v, 2); }

// Gridlines and tick values at quarters of the axis, and the axis title (with its unit) below them.
void axis(Svg& svg, double x0, double plot_w, double y, double max_value, const std::string& title) {
  for (int i = 0; i <= 4; ++i) {
    const double x = x0 + plot_w * i / 4.0;
    svg.line(x, kTop - 4, x, y, "#ddd");
    svg.text(x, y + 14, tick_text(max_value * i / 4.0), 10, "middle", "#555");
  }
  svg.text(x0 + plot_w / 2, y + 28, title, 11, "middle", "#333");
}

}  // namespace

const char* series_colour(int i) {
  static constexpr std::array<const char*, 10> kPalette = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                                           "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  return kPalette[static_cast<std::size_t>(i) % kPalette.size()];
}

std::string bar_chart_svg(const std::string& title, const std::vector<Bar>& bars, const std::string& axis_title) {
  double max_value = 0;
  for (const auto& b : bars) max_value = std::max(max_value, b.value);
  max_value = nice_max(max_value);
  const double plot_w = kWidth - kLabelWidth - kValueWidth;
  const double rows_h = kRowHeight * static_cast<double>(bars.size());
  const double height = kTop + rows_h + 36;
  Svg svg(kWidth, height);
  svg.text(4, 16, title, 13, "start", "#000");
  axis(svg, kLabelWidth, plot_w, kTop + rows_h, max_value, axis_title);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const double y = kTop + kRowHeight * static_cast<double>(i);
    const double w = plot_w * std::max(0.0, bars[i].value) / max_value;
    svg.text(kLabelWidth - 6, y + 13, bars[i].label, 11, "end");
    svg.rect(kLabelWidth, y + 3, w, kRowHeight - 6, series_colour(0), bars[i].label + ": " + bars[i].value_text);
    svg.text(kLabelWidth + w + 4, y + 13, bars[i].value_text, 11);
  }
  return svg.str();
}

std::string stacked_chart_svg(const StackedChart& c) {
  double max_value = c.marker;
  for (const auto& row : c.rows) {
    double sum = 0;
    for (const auto& s : row.segments) sum += std::max(0.0, s.value);
    max_value = std::max(max_value, sum);
  }
  max_value = nice_max(max_value);
  const double plot_w = kWidth - kLabelWidth - 30;
  const double rows_h = kRowHeight * static_cast<double>(c.rows.size());
  const double legend_y = kTop + rows_h + 46;
  Svg svg(kWidth, legend_y + 18 * std::ceil(static_cast<double>(c.series.size()) / 4.0) + 4);
  svg.text(4, 16, c.title, 13, "start", "#000");
  axis(svg, kLabelWidth, plot_w, kTop + rows_h, max_value,
       c.axis_title.empty() ? c.axis_unit : c.axis_title + " (" + c.axis_unit + ")");
  for (std::size_t r = 0; r < c.rows.size(); ++r) {
    const double y = kTop + kRowHeight * static_cast<double>(r);
    svg.text(kLabelWidth - 6, y + 13, c.rows[r].label, 11, "end");
    double x = kLabelWidth;
    for (const auto& s : c.rows[r].segments) {
      const double w = plot_w * std::max(0.0, s.value) / max_value;
      const auto idx = static_cast<std::size_t>(s.series);
      svg.rect(x, y + 3, w, kRowHeight - 6, series_colour(s.series),
               c.rows[r].label + " " + (idx < c.series.size() ? c.series[idx] : "") + ": " + fixed(s.value, 3) + " " +
                   c.axis_unit);
      x += w;
    }
  }
  if (c.marker > 0) {
    const double x = kLabelWidth + plot_w * c.marker / max_value;
    svg.line(x, kTop - 4, x, kTop + rows_h, "#d00", 1.5, true);
    svg.text(x, kTop - 6, c.marker_label, 10, "middle", "#d00");
  }
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    const double x = 10 + 185 * static_cast<double>(i % 4);
    const double y = legend_y + 18 * static_cast<double>(i / 4);
    svg.rect(x, y - 10, 12, 12, series_colour(static_cast<int>(i)));
    svg.text(x + 16, y, c.series[i], 11);
  }
  return svg.str();
}

}  // namespace deepsim

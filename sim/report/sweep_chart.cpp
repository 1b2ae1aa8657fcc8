#include "sim/report/sweep_chart.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "sim/core/format.h"
#include "sim/report/svg.h"

namespace deepsim {
namespace {

constexpr double kWidth = 760, kHeight = 420;
constexpr double kLeft = 80, kRight = 20, kTop = 30, kBottom = 70;

// Axis range [lo, hi] padded by 5% and widened when all points share one value.
std::pair<double, double> range_of(double lo, double hi) {
  if (hi <= lo) {
    const double pad = lo != 0 ? std::abs(lo) * 0.1 : 1;
    return {lo - pad, hi + pad};
  }
  const double pad = (hi - lo) * 0.05;
  return {lo - pad, hi + pad};
}

std::string tick(double v, double span) { return fixed(v, span >= 20 ? 0 : span >= 2 ? 1 : span >= 0.2 ? 2 : 3); }

}  // namespace

std::string sweep_chart_svg(const std::vector<SweepChartPoint>& points, std::uint64_t points_total) {
  if (points.empty()) return "";
  double dmin = points.front().days, dmax = dmin, cmin = points.front().cost_usd / 1e6, cmax = cmin;
  for (const auto& p : points) {
    dmin = std::min(dmin, p.days);
    dmax = std::max(dmax, p.days);
    cmin = std::min(cmin, p.cost_usd / 1e6);
    cmax = std::max(cmax, p.cost_usd / 1e6);
  }
  const auto [x0, x1] = range_of(dmin, dmax);
  const auto [y0, y1] = range_of(cmin, cmax);
  const double pw = kWidth - kLeft - kRight, ph = kHeight - kTop - kBottom;
  const auto X = [&](double days) { return kLeft + pw * (days - x0) / (x1 - x0); };
  const auto Y = [&](double musd) { return kTop + ph * (1 - (musd - y0) / (y1 - y0)); };

  std::ostringstream out;
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << fixed(kWidth, 0) << "\" height=\"" << fixed(kHeight, 0)
      << "\" font-family=\"sans-serif\">\n";
  out << "<text x=\"4\" y=\"16\" font-size=\"13\">Cost against wall-clock time, one point per scenario"
      << (points.size() < points_total ? " (the first " + std::to_string(points.size()) + " of " + std::to_string(points_total) + ")" : "")
      << "</text>\n";
  // Grid, ticks and the axis titles with their units.
  for (int i = 0; i <= 4; ++i) {
    const double xv = x0 + (x1 - x0) * i / 4.0, yv = y0 + (y1 - y0) * i / 4.0;
    out << "<line x1=\"" << fixed(X(xv), 1) << "\" y1=\"" << fixed(kTop, 0) << "\" x2=\"" << fixed(X(xv), 1) << "\" y2=\""
        << fixed(kTop + ph, 0) << "\" stroke=\"#e4e4e4\"/>\n<text x=\"" << fixed(X(xv), 1) << "\" y=\"" << fixed(kTop + ph + 14, 0)
        << "\" font-size=\"10\" text-anchor=\"middle\" fill=\"#555\">" << tick(xv, x1 - x0) << "</text>\n";
    out << "<line x1=\"" << fixed(kLeft, 0) << "\" y1=\"" << fixed(Y(yv), 1) << "\" x2=\"" << fixed(kLeft + pw, 0) << "\" y2=\""
        << fixed(Y(yv), 1) << "\" stroke=\"#e4e4e4\"/>\n<text x=\"" << fixed(kLeft - 6, 0) << "\" y=\"" << fixed(Y(yv) + 4, 1)
        << "\" font-size=\"10\" text-anchor=\"end\" fill=\"#555\">" << tick(yv, y1 - y0) << "</text>\n";
  }
  out << "<rect x=\"" << fixed(kLeft, 0) << "\" y=\"" << fixed(kTop, 0) << "\" width=\"" << fixed(pw, 0) << "\" height=\""
      << fixed(ph, 0) << "\" fill=\"none\" stroke=\"#999\"/>\n";
  out << "<text x=\"" << fixed(kLeft + pw / 2, 0) << "\" y=\"" << fixed(kTop + ph + 32, 0)
      << "\" font-size=\"11\" text-anchor=\"middle\">wall-clock time of the whole run (days)</text>\n";
  out << "<text transform=\"translate(16 " << fixed(kTop + ph / 2, 0)
      << ") rotate(-90)\" font-size=\"11\" text-anchor=\"middle\">cost of the whole run (million USD)</text>\n";
  // The Pareto front as a staircase, under the points.
  std::vector<const SweepChartPoint*> front;
  for (const auto& p : points)
    if (p.pareto) front.push_back(&p);
  std::ranges::sort(front, [](const auto* a, const auto* b) { return a->days < b->days; });
  if (front.size() > 1) {
    out << "<polyline fill=\"none\" stroke=\"#e15759\" stroke-width=\"1.5\" points=\"";
    for (std::size_t i = 0; i < front.size(); ++i) {
      if (i > 0) out << fixed(X(front[i]->days), 1) << ',' << fixed(Y(front[i - 1]->cost_usd / 1e6), 1) << ' ';
      out << fixed(X(front[i]->days), 1) << ',' << fixed(Y(front[i]->cost_usd / 1e6), 1) << ' ';
    }
    out << "\"/>\n";
  }
  for (const auto& p : points) {
    const std::string title = "#" + std::to_string(p.index) + " " + p.label + ": " + fixed(p.days, 2) + " days, $" +
                              format_count(p.cost_usd) + (p.fits ? "" : " (does not fit in HBM)") +
                              (p.pareto ? " (Pareto front)" : "");
    if (!p.href.empty()) out << "<a href=\"" << xml_escape(p.href) << "\">";
    out << "<circle cx=\"" << fixed(X(p.days), 1) << "\" cy=\"" << fixed(Y(p.cost_usd / 1e6), 1) << "\" r=\""
        << (p.pareto ? "5" : "3.5") << "\" "
        << (p.pareto ? "fill=\"#e15759\" stroke=\"#222\""
            : p.fits ? "fill=\"#4e79a7\" fill-opacity=\"0.7\" stroke=\"none\""
                     : "fill=\"none\" stroke=\"#999\"")
        << "><title>" << xml_escape(title) << "</title></circle>";
    if (!p.href.empty()) out << "</a>";
    out << "\n";
  }
  // Legend.
  const double ly = kHeight - 14;
  out << "<circle cx=\"" << fixed(kLeft + 6, 0) << "\" cy=\"" << fixed(ly - 4, 0) << "\" r=\"5\" fill=\"#e15759\" stroke=\"#222\"/>"
      << "<text x=\"" << fixed(kLeft + 16, 0) << "\" y=\"" << fixed(ly, 0) << "\" font-size=\"11\">Pareto front (no plan that fits is both cheaper and faster)</text>\n"
      << "<circle cx=\"" << fixed(kLeft + 366, 0) << "\" cy=\"" << fixed(ly - 4, 0) << "\" r=\"3.5\" fill=\"#4e79a7\"/>"
      << "<text x=\"" << fixed(kLeft + 376, 0) << "\" y=\"" << fixed(ly, 0) << "\" font-size=\"11\">fits in HBM</text>\n"
      << "<circle cx=\"" << fixed(kLeft + 466, 0) << "\" cy=\"" << fixed(ly - 4, 0) << "\" r=\"3.5\" fill=\"none\" stroke=\"#999\"/>"
      << "<text x=\"" << fixed(kLeft + 476, 0) << "\" y=\"" << fixed(ly, 0) << "\" font-size=\"11\">does not fit (never on the front)</text>\n";
  out << "</svg>\n";
  return out.str();
}

}  // namespace deepsim

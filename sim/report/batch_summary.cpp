#include "sim/report/batch_summary.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "sim/core/format.h"
#include "sim/report/svg.h"
#include "sim/report/sweep_chart.h"

namespace deepsim {
namespace {

// Keeps `rows` sorted by (key, index) and no longer than `keep`.
template <class Key>
void insert_ranked(std::vector<BatchRow>& rows, const BatchRow& row, std::size_t keep, Key key) {
  const auto less = [&](const BatchRow& a, const BatchRow& b) {
    return key(a) != key(b) ? key(a) < key(b) : a.index < b.index;
  };
  rows.insert(std::upper_bound(rows.begin(), rows.end(), row, less), row);
  if (rows.size() > keep) rows.pop_back();
}

std::string memory_fit_text(const BatchRow& r) {
  const std::string gb = fixed(std::abs(r.min_headroom_bytes) / 1e9, 1) + " GB";
  return r.fits ? "fits (" + gb + " free)" : "does not fit (over by " + gb + ")";
}

std::vector<std::string> training_cells(const BatchRow& r) {
  return {r.label, r.gpu + " x " + std::to_string(r.gpus),
          "pp " + std::to_string(r.pp) + " dp " + std::to_string(r.dp) + " ep " + std::to_string(r.ep) + " " + r.schedule,
          format_seconds(r.step_time_s), format_seconds(r.bubble_s), format_seconds(r.exposed_comm_s),
          fixed(r.days, 2), "$" + format_count(r.cost_usd), "$" + fixed(r.usd_per_million_tokens, 4),
          fixed(100 * r.mfu_bf16_causal, 1) + "%", memory_fit_text(r)};
}

std::vector<std::string> header(const BatchSummaryLayout& layout) {
  std::vector<std::string> h = {"rank", "#"};
  h.insert(h.end(), layout.header.begin(), layout.header.end());
  h.emplace_back("report");
  return h;
}

std::vector<std::string> cells(const BatchSummaryLayout& layout, const BatchRow& r, std::size_t rank) {
  std::vector<std::string> c = {std::to_string(rank), std::to_string(r.index)};
  for (auto& x : layout.cells(r)) c.push_back(std::move(x));
  return c;
}

void md_rows(std::ostringstream& out, const std::string& title, const std::vector<BatchRow>& rows,
             const BatchSummary& summary, const BatchSummaryLayout& layout) {
  const std::vector<std::string> h = header(layout);
  out << "## " << title << "\n\n|";
  for (const auto& x : h) out << ' ' << x << " |";
  out << "\n|";
  for (std::size_t i = 0; i < h.size(); ++i) out << "---|";
  out << '\n';
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out << '|';
    for (const auto& c : cells(layout, rows[i], i + 1)) out << ' ' << c << " |";
    out << " [report](" << summary.report_href(rows[i]) << ") |\n";
  }
  out << '\n';
}

void html_rows(std::ostringstream& out, const std::string& title, const std::vector<BatchRow>& rows,
               const BatchSummary& summary, const BatchSummaryLayout& layout) {
  out << "<h2>" << xml_escape(title) << "</h2>\n<table>\n<tr>";
  for (const auto& h : header(layout)) out << "<th>" << xml_escape(h) << "</th>";
  out << "</tr>\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out << "<tr>";
    for (const auto& c : cells(layout, rows[i], i + 1)) out << "<td>" << xml_escape(c) << "</td>";
    out << "<td><a href=\"" << xml_escape(summary.report_href(rows[i])) << "\">report</a></td></tr>\n";
  }
  out << "</table>\n";
}

}  // namespace

BatchSummaryLayout training_summary_layout() {
  BatchSummaryLayout l;
  l.header = {"scenario", "GPUs", "plan", "step", "bubble", "exposed comm", "days", "cost", "$/M tokens", "MFU (BF16, causal)",
              "memory (HBM)"};
  l.cells = training_cells;
  l.cost = [](const BatchRow& r) { return r.cost_usd; };
  l.time = [](const BatchRow& r) { return r.days; };
  l.front_title = "Pareto front (cost against days)";
  l.cost_title = "Cheapest";
  l.time_title = "Fastest (wall-clock days)";
  return l;
}

std::string BatchSummary::counts_text() const {
  std::string s = std::to_string(total()) + " scenarios: " + std::to_string(ok_ - infeasible_) + " ok, ";
  if (infeasible_ > 0) s += std::to_string(infeasible_) + " do not fit in HBM, ";
  return s + std::to_string(failed_) + " failed.";
}

std::string BatchSummary::report_href(const BatchRow& row) const {
  if (row.hash.empty()) return "";
  return "runs/" + row.hash + (reports_ ? "/report.html" : "/result.json");
}

void BatchSummary::add_to_front(const BatchRow& row) {
  // Dominated (ties included: the earlier scenario stays) by a point already on the front?
  const auto& time = layout_.time;
  const auto& cost = layout_.cost;
  for (const BatchRow& q : pareto_)
    if (time(q) <= time(row) && cost(q) <= cost(row)) return;
  std::erase_if(pareto_, [&](const BatchRow& q) { return time(row) <= time(q) && cost(row) <= cost(q); });
  pareto_.insert(std::upper_bound(pareto_.begin(), pareto_.end(), row,
                                  [&](const BatchRow& a, const BatchRow& b) { return time(a) < time(b); }),
                 row);
}

void BatchSummary::add(const BatchRow& row) {
  if (row.ok && layout_.chart && chart_.size() < kChartPoints) chart_.push_back(row);
  if (!row.ok) {
    ++failed_;
    if (failures_.size() < keep_) failures_.push_back(row);
    return;
  }
  ++ok_;
  if (!row.fits) {
    ++infeasible_;
    if (does_not_fit_.size() < keep_) does_not_fit_.push_back(row);
    return;
  }
  add_to_front(row);
  insert_ranked(by_cost_, row, keep_, layout_.cost);
  insert_ranked(by_days_, row, keep_, layout_.time);
}

std::string BatchSummary::markdown(const std::string& title) const {
  std::ostringstream out;
  out << "# " << title << "\n\n" << counts_text() << " "
      << "Every row is in results.csv; below, the best " << keep_ << " of each ranking (plans that fit only).\n\n";
  md_rows(out, layout_.front_title, pareto_, *this, layout_);
  md_rows(out, layout_.cost_title, by_cost_, *this, layout_);
  md_rows(out, layout_.time_title, by_days_, *this, layout_);
  if (!does_not_fit_.empty())
    md_rows(out, "Do not fit in HBM (not ranked; time and cost as if they fit)", does_not_fit_, *this, layout_);
  if (!failures_.empty()) {
    out << "## Failed\n\n";
    for (const auto& f : failures_) out << "- #" << f.index << " " << f.label << " (" << f.file << "): " << f.error << "\n";
    out << '\n';
  }
  return out.str();
}

std::string BatchSummary::html(const std::string& title) const {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << xml_escape(title)
      << "</title>\n<style>\nbody{font-family:sans-serif;max-width:1100px;margin:2em auto}\n"
         "table{border-collapse:collapse}\nth,td{border:1px solid #ccc;padding:3px 8px;font-size:13px}\n"
         "th{background:#f3f3f3}\n</style>\n</head>\n<body>\n<h1>"
      << xml_escape(title) << "</h1>\n<p>" << counts_text() << " Every row is in results.csv; below, the best "
      << keep_ << " of each ranking (plans that fit only).</p>\n";
  std::vector<SweepChartPoint> points;
  for (const BatchRow& r : chart_) {
    const bool front = std::ranges::any_of(pareto_, [&](const BatchRow& q) { return q.index == r.index; });
    points.push_back({r.index, r.label, r.days, r.cost_usd, r.fits, front, report_href(r)});
  }
  for (const BatchRow& q : pareto_)  // the front is drawn whole even past the chart's first points
    if (layout_.chart && std::ranges::none_of(chart_, [&](const BatchRow& r) { return r.index == q.index; }))
      points.push_back({q.index, q.label, q.days, q.cost_usd, q.fits, true, report_href(q)});
  if (!points.empty())
    out << "<figure>\n" << sweep_chart_svg(points, ok_)
        << "<figcaption>Click a point for its report. Cost is each scenario's headline cost (its pricing.basis).</figcaption>\n</figure>\n";
  html_rows(out, layout_.front_title, pareto_, *this, layout_);
  html_rows(out, layout_.cost_title, by_cost_, *this, layout_);
  html_rows(out, layout_.time_title, by_days_, *this, layout_);
  if (!does_not_fit_.empty())
    html_rows(out, "Do not fit in HBM (not ranked; time and cost as if they fit)", does_not_fit_, *this, layout_);
  if (!failures_.empty()) {
    out << "<h2>Failed</h2>\n<ul>\n";
    for (const auto& f : failures_)
      out << "<li>#" << f.index << " " << xml_escape(f.label) << " (" << xml_escape(f.file) << "): " << xml_escape(f.error)
          << "</li>\n";
    out << "</ul>\n";
  }
  out << "</body>\n</html>\n";
  return out.str();
}

}  // namespace deepsim

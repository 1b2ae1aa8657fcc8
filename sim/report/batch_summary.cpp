#include "sim/report/batch_summary.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "sim/core/format.h"
#include "sim/report/svg.h"

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

std::vector<std::string> cells(const BatchRow& r, std::size_t rank) {
  return {std::to_string(rank), std::to_string(r.index), r.label, r.gpu + " x " + std::to_string(r.gpus),
          "pp " + std::to_string(r.pp) + " dp " + std::to_string(r.dp) + " ep " + std::to_string(r.ep) + " " + r.schedule,
          format_seconds(r.step_time_s), fixed(r.days, 2), "$" + format_count(r.cost_usd),
          "$" + fixed(r.usd_per_million_tokens, 4), fixed(100 * r.mfu_bf16_causal, 1) + "%",
          (r.fits ? "" : "-") + fixed(std::abs(r.min_headroom_bytes) / 1e9, 1) + (r.fits ? " GB" : " GB (over)")};
}

const std::vector<std::string>& header() {
  static const std::vector<std::string> h = {"rank", "#", "scenario", "GPUs", "plan", "step", "days", "cost",
                                             "$/M tokens", "MFU (BF16, causal)", "HBM headroom"};
  return h;
}

void md_rows(std::ostringstream& out, const std::string& title, const std::vector<BatchRow>& rows) {
  out << "## " << title << "\n\n|";
  for (const auto& h : header()) out << ' ' << h << " |";
  out << "\n|";
  for (std::size_t i = 0; i < header().size(); ++i) out << "---|";
  out << '\n';
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out << '|';
    for (const auto& c : cells(rows[i], i + 1)) out << ' ' << c << " |";
    out << '\n';
  }
  out << '\n';
}

void html_rows(std::ostringstream& out, const std::string& title, const std::vector<BatchRow>& rows) {
  out << "<h2>" << xml_escape(title) << "</h2>\n<table>\n<tr>";
  for (const auto& h : header()) out << "<th>" << xml_escape(h) << "</th>";
  out << "</tr>\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out << "<tr>";
    for (const auto& c : cells(rows[i], i + 1)) out << "<td>" << xml_escape(c) << "</td>";
    out << "</tr>\n";
  }
  out << "</table>\n";
}

}  // namespace

std::string BatchSummary::counts_text() const {
  std::string s = std::to_string(total()) + " scenarios: " + std::to_string(ok_ - infeasible_) + " ok, ";
  if (infeasible_ > 0) s += std::to_string(infeasible_) + " do not fit in HBM, ";
  return s + std::to_string(failed_) + " failed.";
}

void BatchSummary::add(const BatchRow& row) {
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
  insert_ranked(by_cost_, row, keep_, [](const BatchRow& r) { return r.cost_usd; });
  insert_ranked(by_days_, row, keep_, [](const BatchRow& r) { return r.days; });
}

std::string BatchSummary::markdown(const std::string& title) const {
  std::ostringstream out;
  out << "# " << title << "\n\n" << counts_text() << " "
      << "Every row is in results.csv; below, the best " << keep_ << " of each ranking (plans that fit only).\n\n";
  md_rows(out, "Cheapest", by_cost_);
  md_rows(out, "Fastest (wall-clock days)", by_days_);
  if (!does_not_fit_.empty())
    md_rows(out, "Do not fit in HBM (not ranked; time and cost as if they fit)", does_not_fit_);
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
  html_rows(out, "Cheapest", by_cost_);
  html_rows(out, "Fastest (wall-clock days)", by_days_);
  if (!does_not_fit_.empty())
    html_rows(out, "Do not fit in HBM (not ranked; time and cost as if they fit)", does_not_fit_);
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

#include "sim/report/documents.h"

#include <sstream>

#include "sim/core/format.h"
#include "sim/report/reference_rows.h"
#include "sim/report/report_charts.h"
#include "sim/report/report_tables.h"
#include "sim/report/source_path.h"
#include "sim/report/svg.h"
#include "sim/scenario/loader.h"

namespace deepsim {
namespace {

// Markdown table cells cannot hold a bare '|'.
std::string md_cell(const std::string& s) {
  std::string out;
  for (const char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

void markdown_table(std::ostringstream& out, const Table& t) {
  out << "## " << t.title << "\n\n|";
  for (const auto& h : t.header) out << ' ' << md_cell(h) << " |";
  out << "\n|";
  for (std::size_t i = 0; i < t.header.size(); ++i) out << "---|";
  out << '\n';
  for (const auto& row : t.rows) {
    out << '|';
    for (const auto& cell : row) out << ' ' << md_cell(cell) << " |";
    out << '\n';
  }
  out << '\n';
}

void html_table(std::ostringstream& out, const Table& t) {
  out << "<h2>" << xml_escape(t.title) << "</h2>\n<table>\n<tr>";
  for (const auto& h : t.header) out << "<th>" << xml_escape(h) << "</th>";
  out << "</tr>\n";
  for (const auto& row : t.rows) {
    out << "<tr>";
    for (const auto& cell : row) out << "<td>" << xml_escape(cell) << "</td>";
    out << "</tr>\n";
  }
  out << "</table>\n";
}

std::string title_of(const RunReport& r) { return "deepsim report: " + r.scenario.name; }

}  // namespace

std::string markdown_report(const RunReport& r) {
  std::ostringstream out;
  out << "# " << title_of(r) << "\n\n"
      << "deepsim " << r.deepsim_version << ", input hash `" << r.input_hash << "`, scenario file `"
      << report_source_path(r.scenario.source_file) << "`.\n\n";
  for (const Table& t : all_tables(r)) markdown_table(out, t);
  out << "## Assumptions\n\n"
      << "- kernel model: " << r.step.kernel_model << "\n"
      << "- calibration profile: " << (r.scenario.calibration.profile.empty() ? "none" : r.scenario.calibration.profile)
      << "\n- step fidelity: " << r.step.fidelity << "\n";
  for (const auto& n : r.step.notes) out << "- step: " << n << "\n";
  for (const auto& n : r.forecast.notes) out << "- forecast: " << n << "\n";
  out << "\n## Resolved scenario\n\n```yaml\n" << to_yaml(r.scenario) << "```\n";
  return out.str();
}

std::string html_report(const RunReport& r) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << xml_escape(title_of(r))
      << "</title>\n<style>\n"
         "body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}\n"
         "table{border-collapse:collapse;margin:0.5em 0 1.5em}\n"
         "th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}\n"
         "th{background:#f3f3f3}\npre{background:#f7f7f7;padding:8px;font-size:12px;overflow-x:auto}\n"
         "figure{margin:1em 0}\n</style>\n</head>\n<body>\n<h1>"
      << xml_escape(title_of(r)) << "</h1>\n<p>deepsim " << xml_escape(r.deepsim_version) << ", input hash <code>"
      << r.input_hash << "</code>, scenario file <code>" << xml_escape(report_source_path(r.scenario.source_file)) << "</code>.</p>\n";
  const std::vector<Table> tables = all_tables(r);
  const std::size_t leading = leading_tables(r);  // the headline, and the reference beside it
  for (std::size_t i = 0; i < leading; ++i) html_table(out, tables[i]);
  // trace.json sits beside report.html when `deepsim run --out` wrote them (batch runs write none).
  out << "<p>Every task of the simulated step: <a href=\"trace.json\">trace.json</a> (written beside this report by "
         "<code>deepsim run --out</code>). Open it in the Perfetto UI: go to <code>https://ui.perfetto.dev</code>, "
         "choose <em>Open trace file</em> and pick trace.json; the file is read in your browser, not uploaded. "
         "<code>chrome://tracing</code> opens it too. One process per GPU (tracks compute and comm), slices named "
         "by op with layer, micro-batch and stage in their arguments, arrows from each send to its receiver, and "
         "memory and link-utilisation counters.</p>\n";
  for (const Chart& c : all_charts(r))
    out << "<figure>\n<figcaption>" << xml_escape(c.title) << "</figcaption>\n" << c.svg << "</figure>\n";
  for (std::size_t i = leading; i < tables.size(); ++i) html_table(out, tables[i]);
  out << "<h2>Assumptions</h2>\n<ul>\n<li>kernel model: " << xml_escape(r.step.kernel_model)
      << "</li>\n<li>step fidelity: " << xml_escape(r.step.fidelity) << "</li>\n";
  for (const auto& n : r.step.notes) out << "<li>step: " << xml_escape(n) << "</li>\n";
  for (const auto& n : r.forecast.notes) out << "<li>forecast: " << xml_escape(n) << "</li>\n";
  out << "</ul>\n<h2>Resolved scenario</h2>\n<pre>" << xml_escape(to_yaml(r.scenario)) << "</pre>\n</body>\n</html>\n";
  return out.str();
}

std::string text_summary(const RunReport& r) {
  const Forecast& f = r.forecast;
  std::ostringstream out;
  out << "whole run (" << f.phases.size() << (f.phases.size() == 1 ? " phase, " : " phases, ") << format_count(f.tokens) << " tokens, " << f.total_steps
      << " steps on " << r.scenario.cluster.total_gpus() << " x " << r.scenario.cluster.gpu.name << "):\n";
  for (std::size_t i = 0; i < f.phases.size(); ++i) {
    const PhaseForecast& p = f.phases[i];
    out << "  " << p.title << ": " << format_count(p.gpu_hours) << " GPU-h, " << fixed(p.wall_s / 86400.0, 2)
        << " days, $" << format_count(r.cost.phases.at(i).usd) << "\n";
  }
  out << "  total: " << format_count(f.gpu_hours) << " GPU-h (" << format_count(f.compute_gpu_hours)
      << " failure-free), " << fixed(f.days(), 2) << " days, $" << format_count(r.cost.usd) << " (" << r.cost.basis
      << "; rental $" << format_count(r.cost.rental_usd) << ", ownership $" << format_count(r.cost.ownership.total_usd())
      << ")\n  throughput: " << format_count(f.throughput.tokens_per_s) << " tokens/s, "
      << fixed(f.throughput.tflops_per_gpu_causal, 1) << " TFLOPS/GPU causal ("
      << fixed(f.throughput.tflops_per_gpu_non_causal, 1) << " non-causal), MFU "
      << fixed(100 * f.throughput.mfu_bf16_causal, 1) << "% of BF16 dense, " << fixed(100 * f.throughput.mfu_fp8_causal, 1)
      << "% of FP8 dense\n";
  for (const ReferenceRow& row : reference_rows(r))
    out << "  " << r.scenario.reference.kind << " reference, " << row.quantity << ": predicted "
        << value_text(row, row.predicted) << " against " << value_text(row, row.reference) << " (" << error_text(row)
        << "; " << row.source << ")\n";
  return out.str();
}

}  // namespace deepsim

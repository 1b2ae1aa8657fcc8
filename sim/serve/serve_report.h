// The reports of `deepsim serve` (docs/serving.md, "Reports"), like `deepsim run`'s: report.md, a
// self-contained report.html (tables and an inline SVG of the decode step), result.json with `serve.*`
// keys (units in the names) and trace.json of one decode step (the report module's Perfetto writer).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/report/report_tables.h"
#include "sim/scenario/scenario.h"
#include "sim/serve/serve_run.h"

namespace deepsim {

struct ServeReport {
  Scenario scenario;
  ServeResult result;
  std::string deepsim_version;
  std::string input_hash;
};

[[nodiscard]] std::vector<Table> serve_tables(const ServeReport& r);
[[nodiscard]] std::string serve_markdown(const ServeReport& r);
// The tables alone, as the terminal shows them (no resolved scenario).
[[nodiscard]] std::string serve_markdown_tables_only(const ServeReport& r);
[[nodiscard]] std::string serve_html(const ServeReport& r);
[[nodiscard]] nlohmann::ordered_json serve_json(const ServeReport& r);
[[nodiscard]] std::string serve_summary(const ServeReport& r);
// report.md, report.html, result.json and trace.json into `dir` (created); throws std::runtime_error
// when a file cannot be written.
void write_serve_reports(const ServeReport& r, const std::filesystem::path& dir);
// The same without result.json (report.md, report.html, trace.json into an existing `dir`): the batch
// runner stores result.json itself, last and whole.
void write_serve_report_set(const ServeReport& r, const std::filesystem::path& dir);

}  // namespace deepsim

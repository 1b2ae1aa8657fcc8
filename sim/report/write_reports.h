// The one entry point the CLI's `run` calls: writes result.json, report.md, report.html, phases.csv and
// ranks.csv for one RunReport into a directory (created if missing). Same report, same bytes.
#pragma once

#include <filesystem>

#include "sim/report/run_report.h"

namespace deepsim {

// Throws std::runtime_error when the directory or a file cannot be written.
void write_reports(const std::filesystem::path& dir, const RunReport& r);

// Writes `text` to `path` in binary mode (no newline translation); throws std::runtime_error on failure.
void write_text_file(const std::filesystem::path& path, const std::string& text);

}  // namespace deepsim

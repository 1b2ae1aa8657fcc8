#include "sim/report/write_reports.h"

#include <fstream>
#include <stdexcept>

#include "sim/report/csv_tables.h"
#include "sim/report/documents.h"
#include "sim/report/result_json.h"

namespace deepsim {

void write_text_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write '" + path.string() + "'");
}

void write_reports(const std::filesystem::path& dir, const RunReport& r) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create output directory '" + dir.string() + "': " + ec.message());
  write_text_file(dir / "result.json", result_json(r).dump(2) + "\n");
  write_text_file(dir / "report.md", markdown_report(r));
  write_text_file(dir / "report.html", html_report(r));
  write_text_file(dir / "phases.csv", phases_csv(r));
  write_text_file(dir / "ranks.csv", ranks_csv(r));
}

}  // namespace deepsim

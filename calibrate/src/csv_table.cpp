#include "calibrate/src/csv_table.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "sim/core/error.h"

namespace deepsim::calib {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// Cells are plain: the tables hold numbers and identifiers, so no quoting is supported (and a quote is
// reported rather than misread).
std::vector<std::string> split(const std::string& line, const std::string& file, int line_no) {
  if (line.find('"') != std::string::npos)
    throw InputError({file, line_no, 0}, "", "quoted CSV cells are not supported", "use plain cells without commas");
  std::vector<std::string> cells;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) cells.push_back(trim(cell));
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

}  // namespace

CsvTable CsvTable::read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError({path, 0, 0}, "", "cannot open CSV table");
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

CsvTable CsvTable::parse(const std::string& text, const std::string& display_name) {
  CsvTable t;
  t.file_ = display_name;
  std::istringstream in(text);
  std::string raw;
  int line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    const std::string line = trim(raw);
    if (line.empty()) continue;
    if (line[0] == '#') {
      const auto colon = line.find(':');
      if (colon != std::string::npos) t.meta_.emplace(trim(line.substr(1, colon - 1)), trim(line.substr(colon + 1)));
      continue;
    }
    std::vector<std::string> cells = split(line, display_name, line_no);
    if (t.header_.empty()) {
      t.header_ = std::move(cells);
      continue;
    }
    if (cells.size() != t.header_.size())
      throw InputError({display_name, line_no, 0}, "",
                       "row has " + std::to_string(cells.size()) + " cells, the header has " +
                           std::to_string(t.header_.size()));
    t.rows_.push_back(std::move(cells));
    t.lines_.push_back(line_no);
  }
  if (t.header_.empty()) throw InputError({display_name, line_no, 0}, "", "no header row", "the first non-# line names the columns");
  return t;
}

bool CsvTable::has_column(const std::string& c) const {
  return std::find(header_.begin(), header_.end(), c) != header_.end();
}

std::string CsvTable::meta(const std::string& key) const {
  const auto it = meta_.find(key);
  return it == meta_.end() ? "" : it->second;
}

const std::string& CsvTable::text(std::size_t row, const std::string& column) const {
  const auto it = std::find(header_.begin(), header_.end(), column);
  if (it == header_.end()) throw InputError({file_, line(row), 0}, column, "column missing from the header");
  return rows_[row][static_cast<std::size_t>(it - header_.begin())];
}

double CsvTable::number(std::size_t row, const std::string& column) const {
  const std::string& s = text(row, column);
  double v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size())
    throw InputError({file_, line(row), 0}, column, "expected a number, got '" + s + "'");
  return v;
}

long long CsvTable::integer(std::size_t row, const std::string& column) const {
  const std::string& s = text(row, column);
  long long v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size())
    throw InputError({file_, line(row), 0}, column, "expected an integer, got '" + s + "'");
  return v;
}

double CsvTable::number_or(std::size_t row, const std::string& column, double fallback) const {
  if (!has_column(column) || text(row, column).empty()) return fallback;
  return number(row, column);
}

}  // namespace deepsim::calib

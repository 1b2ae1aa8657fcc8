// A small CSV reader for the transcribed tables in calibrate/data/: '#' lines are comments, and
// "# key: value" comments are kept as metadata (source, date, device); the first other line is the
// header. Values carry their line number so a bad cell is reported as file:line: column: message.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace deepsim::calib {

class CsvTable {
 public:
  [[nodiscard]] static CsvTable read_file(const std::string& path);
  [[nodiscard]] static CsvTable parse(const std::string& text, const std::string& display_name);

  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] const std::vector<std::string>& header() const { return header_; }
  [[nodiscard]] bool has_column(const std::string& c) const;
  [[nodiscard]] std::size_t rows() const { return rows_.size(); }
  [[nodiscard]] int line(std::size_t row) const { return lines_[row]; }
  // "" when the metadata key is absent.
  [[nodiscard]] std::string meta(const std::string& key) const;

  // Cell accessors; a missing column, empty cell or bad number is an InputError at the row's line.
  [[nodiscard]] const std::string& text(std::size_t row, const std::string& column) const;
  [[nodiscard]] double number(std::size_t row, const std::string& column) const;
  [[nodiscard]] long long integer(std::size_t row, const std::string& column) const;
  // `fallback` when the column is absent or the cell is empty.
  [[nodiscard]] double number_or(std::size_t row, const std::string& column, double fallback) const;

 private:
  std::string file_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<int> lines_;
  std::map<std::string, std::string> meta_;
};

}  // namespace deepsim::calib

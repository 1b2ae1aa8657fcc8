// Helpers for calibrate tests: a per-test scratch folder and file writer.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace deepsim::calib::test {

// A fresh folder named after the running test, so tests never share files.
inline std::filesystem::path scratch_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const auto dir = std::filesystem::temp_directory_path() / "deepsim_calib_tests" /
                   (std::string(info->test_suite_name()) + "." + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path.string();
}

inline std::string source_path(const std::string& rel) { return std::string(DEEPSIM_SOURCE_DIR) + "/" + rel; }

}  // namespace deepsim::calib::test

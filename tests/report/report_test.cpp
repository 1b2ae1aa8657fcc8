// Reports of one scenario (write_reports.h) on the small run with the synthetic step
// (tests/forecast/forecast_test_support.h): result.json carries the required keys with the forecast's
// values, CSVs have a row per phase and per rank, and two runs write byte-identical files.
#include "sim/report/write_reports.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/report/csv_tables.h"
#include "sim/report/documents.h"
#include "sim/report/result_json.h"
#include "sim/report/svg.h"
#include "tests/forecast/forecast_test_support.h"

namespace deepsim {
namespace {

namespace fs = std::filesystem;

NetworkInventory fixed_inventory(const ClusterSpec&) { return {16, 10, 64, 32}; }

RunReport small_report() {
  return make_run_report(test::small_run(), test::synthetic_step, fixed_inventory, "0.0.0-test");
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("deepsim_report_test_" + name);
  fs::remove_all(d);
  return d;
}

TEST(Report, ResultJsonHasTheRequiredKeysWithTheirValues) {
  const RunReport r = small_report();
  const auto j = result_json(r);
  // The configured step (64 sequences = 8 micro-batches at 4096): 8 x 4096 ns + 1 ms = 1.032768 ms.
  EXPECT_DOUBLE_EQ(j.at("step").at("time_s").get<double>(), 1.032768e-3);
  EXPECT_DOUBLE_EQ(j.at("step").at("bubble_s").get<double>(), r.step.bubble.seconds());
  EXPECT_DOUBLE_EQ(j.at("step").at("exposed_comm_s").get<double>(), r.step.exposed_comm.seconds());
  EXPECT_DOUBLE_EQ(j.at("run").at("gpu_hours").get<double>(), r.forecast.gpu_hours);
  EXPECT_DOUBLE_EQ(j.at("run").at("days").get<double>(), r.forecast.wall_s / 86400.0);
  // Rental basis at $2.5 per GPU-hour.
  EXPECT_NEAR(j.at("run").at("cost_usd").get<double>(), r.forecast.gpu_hours * 2.5, 1e-9);
  EXPECT_EQ(j.at("model").at("params_total").get<std::int64_t>(), count_params(r.scenario.model).total());
  EXPECT_EQ(j.at("model").at("params_active").get<std::int64_t>(), count_params(r.scenario.model).activated);
  EXPECT_EQ(j.at("phases").size(), 3u);
  EXPECT_EQ(j.at("scenario").at("input_hash").get<std::string>(), input_hash(r.scenario, "0.0.0-test"));
  EXPECT_EQ(j.at("assumptions").at("kernel_model").get<std::string>(), r.step.kernel_model);
  EXPECT_FALSE(j.at("assumptions").at("scenario_yaml").get<std::string>().empty());
  EXPECT_EQ(j.at("deepsim_version").get<std::string>(), "0.0.0-test");
}

TEST(Report, CsvRowsPerPhaseAndPerRank) {
  const RunReport r = small_report();
  const auto lines = [](const std::string& s) { return std::count(s.begin(), s.end(), '\n'); };
  EXPECT_EQ(lines(phases_csv(r)), 1 + 3);
  EXPECT_EQ(lines(ranks_csv(r)), 1 + 2);
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
}

TEST(Report, DocumentsListTheirAssumptions) {
  const RunReport r = small_report();
  for (const std::string& doc : {markdown_report(r), html_report(r)}) {
    EXPECT_NE(doc.find("0.0.0-test"), std::string::npos);
    EXPECT_NE(doc.find("synthetic: micro_batches x seq_len"), std::string::npos);
    EXPECT_NE(doc.find("a synthetic step for tests"), std::string::npos);
    EXPECT_NE(doc.find("batch ramp 16 -"), std::string::npos);  // the forecast's notes
    EXPECT_NE(doc.find("usd_per_gpu_hour: 2.5"), std::string::npos);
  }
  const std::string html = html_report(r);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);  // self-contained, nothing executed or fetched
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_NE(text_summary(r).find("GPU-h"), std::string::npos);
}

TEST(Report, TwoRunsWriteIdenticalBytes) {
  const fs::path a = fresh_dir("a"), b = fresh_dir("b");
  write_reports(a, small_report());
  write_reports(b, small_report());
  for (const char* f : {"result.json", "report.md", "report.html", "phases.csv", "ranks.csv"}) {
    const std::string first = read(a / f);
    EXPECT_FALSE(first.empty()) << f;
    EXPECT_EQ(first, read(b / f)) << f;
  }
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST(Report, SvgEscapesText) {
  Svg svg(10, 10);
  svg.text(0, 0, "a<b & \"c\"");
  EXPECT_NE(svg.str().find("a&lt;b &amp; &quot;c&quot;"), std::string::npos);
}

}  // namespace
}  // namespace deepsim

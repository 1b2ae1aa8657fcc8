// Reports of one scenario (write_reports.h) on the small run with the synthetic step
// (tests/forecast/forecast_test_support.h): result.json carries the required keys with the forecast's
// values, CSVs have a row per phase and per rank, and two runs write byte-identical files.
#include "sim/report/write_reports.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/core/format.h"
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
  EXPECT_GT(r.step.exposed_dp, Time::zero());
  EXPECT_DOUBLE_EQ(j.at("step").at("exposed_dp_s").get<double>(), r.step.exposed_dp.seconds());
  EXPECT_DOUBLE_EQ(j.at("step").at("ranks").at(0).at("exposed_dp_s").get<double>(), r.step.ranks.at(0).exposed_dp.seconds());
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

// The synthetic step with a hand-made timeline: rank 0 computes forward 0-2 ms and backward 3-5 ms and
// sends 2-3 ms on its comm track; rank 1 forward 2.5-4 ms.
StepResult step_with_timeline(const Scenario& s) {
  StepResult st = test::synthetic_step(s);
  st.step = Time::ms(5);
  st.timeline = {{0, false, TimelineKind::kForward, Time::ms(0), Time::ms(2), 4},
                 {0, true, TimelineKind::kPipelineSend, Time::ms(2), Time::ms(3), 1},
                 {0, false, TimelineKind::kBackward, Time::ms(3), Time::ms(5), 4},
                 {1, false, TimelineKind::kForward, Time::us(2500), Time::ms(4), 4}};
  return st;
}

TEST(Report, HtmlHasARealTimelineAxisTitlesTheTraceLinkAndStackedOwnership) {
  const RunReport r = make_run_report(test::small_run(), step_with_timeline, fixed_inventory, "0.0.0-test");
  const std::string html = html_report(r);
  const auto tl = html.find("id=\"step-timeline\"");
  ASSERT_NE(tl, std::string::npos);
  // Spans at their real times in microseconds, one rect each, with the rank and times in the tooltip.
  EXPECT_NE(html.find("<rect x=\"3000.0\" y=\"0\" width=\"2000.0\""), std::string::npos);
  EXPECT_NE(html.find("<rect x=\"2500.0\" y=\"24\" width=\"1500.0\""), std::string::npos);  // rank 1's row
  EXPECT_NE(html.find("rank 0 pipeline send: 2.000 ms to 3.000 ms (1 task)"), std::string::npos);
  EXPECT_NE(html.find("viewBox=\"0 0 5000.0 48\""), std::string::npos);  // the zoomable plot: 5 ms, 2 ranks
  EXPECT_NE(html.find("time into the step (ms)"), std::string::npos);
  EXPECT_NE(html.find("<script>"), std::string::npos);  // the zoom, inline
  EXPECT_EQ(html.find("src="), std::string::npos);      // nothing fetched
  EXPECT_EQ(html.find("http://", 0), html.find("http://www.w3.org/2000/svg"));  // only the SVG namespace
  // Axis titles with units on every chart (the unit was on the last tick only).
  for (const char* title : {"time (s)", "GPU-hours", "cost (million USD)", "memory per GPU (GB)", "utilisation (%)"})
    EXPECT_NE(html.find(std::string(">") + title + "<"), std::string::npos) << title;
  EXPECT_NE(html.find("<a href=\"trace.json\">trace.json</a>"), std::string::npos);
  EXPECT_NE(html.find("ui.perfetto.dev"), std::string::npos);
  // Cost: a rental row and an ownership row stacked by its parts (not side by side with their total).
  const auto cost_at = html.find("Cost breakdown</figcaption>");
  ASSERT_NE(cost_at, std::string::npos);
  const std::string cost = html.substr(cost_at, html.find("</figure>", cost_at) - cost_at);
  EXPECT_NE(cost.find("ownership GPUs: "), std::string::npos);
  EXPECT_NE(cost.find("ownership power: "), std::string::npos);
  EXPECT_NE(cost.find("rental rental: "), std::string::npos);
  EXPECT_EQ(cost.find("ownership total"), std::string::npos);  // no separate bar for the total
}

// A `reference:` section shows beside the prediction in report.md, report.html and result.json, with the
// error of the prediction; without one, none of them has it.
TEST(Report, ReferenceFiguresBesideThePredictionWithTheirError) {
  const RunReport plain = small_report();
  EXPECT_FALSE(result_json(plain).contains("reference"));
  EXPECT_EQ(markdown_report(plain).find("Prediction against the"), std::string::npos);
  const RunReport r = make_run_report(
      test::small_run({"reference.step_time_s=0.002", "reference.step_time_source=a measured step",
                       "reference.gpu_hours=1000", "reference.gpu_hours_source=a paper, Table 1",
                       "reference.cost_usd=5000", "reference.cost_source=the invoice"}),
      test::synthetic_step, fixed_inventory, "0.0.0-test");
  const auto j = result_json(r);
  ASSERT_TRUE(j.contains("reference"));
  const auto& ref = j.at("reference");
  EXPECT_EQ(ref.at("kind").get<std::string>(), "published");
  // The configured step is 1.032768 ms against 2 ms: 48.4% under.
  EXPECT_DOUBLE_EQ(ref.at("step_time_s").at("predicted").get<double>(), 1.032768e-3);
  EXPECT_NEAR(ref.at("step_time_s").at("error_pct").get<double>(), 100 * (1.032768e-3 - 2e-3) / 2e-3, 1e-9);
  EXPECT_DOUBLE_EQ(ref.at("gpu_hours").at("predicted").get<double>(), r.forecast.gpu_hours);
  EXPECT_NEAR(ref.at("gpu_hours").at("error_pct").get<double>(), 100 * (r.forecast.gpu_hours - 1000) / 1000, 1e-9);
  EXPECT_DOUBLE_EQ(ref.at("cost_usd").at("predicted").get<double>(), r.cost.usd);
  EXPECT_EQ(ref.at("cost_usd").at("source").get<std::string>(), "the invoice");
  const std::string md = markdown_report(r), html = html_report(r);
  const std::string err = fixed(100 * (1.032768e-3 - 2e-3) / 2e-3, 1) + "%";
  for (const std::string& doc : {md, html}) {
    EXPECT_NE(doc.find("Prediction against the published reference"), std::string::npos);
    EXPECT_NE(doc.find(err), std::string::npos) << err;
    EXPECT_NE(doc.find("a paper, Table 1"), std::string::npos);
  }
  // In report.html the reference sits beside the headline, before the charts.
  EXPECT_LT(html.find("Prediction against the published reference"), html.find("<figure>"));
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

namespace deepsim {
namespace {

// The synthetic step with a wall-clock breakdown and kernel sources on its ranks.
StepResult step_with_breakdown(const Scenario& s) {
  StepResult st = test::synthetic_step(s);
  for (RankResult& rr : st.ranks) {
    rr.wall = {};
    rr.wall[static_cast<std::size_t>(WallPart::kForward)] = st.step / 4;
    rr.wall[static_cast<std::size_t>(WallPart::kOverlapped)] = st.step / 2;
    rr.wall[static_cast<std::size_t>(WallPart::kBubble)] = st.step - st.step / 4 - st.step / 2;
  }
  st.kernel_sources = {{"gemm_fp8", true, "calibration profile 'p' (H800): 3 kernels", {"mla.q_b fwd"}},
                       {"memory_bound", false, "roofline default: HBM at 90%", {"rmsnorm fwd", "optimizer.adamw fwd"}}};
  return st;
}

TEST(Report, WallBreakdownAndKernelSourcesInJsonAndMarkdown) {
  const RunReport r = make_run_report(test::small_run(), step_with_breakdown, fixed_inventory, "0.0.0-test");
  const auto j = result_json(r);
  const auto& ranks = j.at("step").at("ranks");
  ASSERT_EQ(ranks.size(), r.step.ranks.size());
  for (const auto& rj : ranks) {
    const auto& w = rj.at("wall_breakdown_s");
    double sum = 0;
    for (const char* k : {"forward", "backward", "weight", "overlapped", "optimizer", "bubble"}) sum += w.at(k).get<double>();
    EXPECT_NEAR(sum, j.at("step").at("time_s").get<double>(), 1e-15);
    EXPECT_DOUBLE_EQ(w.at("overlapped").get<double>(), (r.step.step / 2).seconds());
  }
  const auto& src = j.at("assumptions").at("kernel_sources");
  ASSERT_EQ(src.size(), 2u);
  EXPECT_EQ(src[0].at("family"), "gemm_fp8");
  EXPECT_TRUE(src[0].at("from_profile").get<bool>());
  EXPECT_FALSE(src[1].at("from_profile").get<bool>());
  EXPECT_EQ(src[1].at("ops").size(), 2u);
  const std::string md = markdown_report(r);
  EXPECT_NE(md.find("as DeepSeek breaks its own down"), std::string::npos);
  EXPECT_NE(md.find("| gemm_fp8 | calibration profile | calibration profile 'p' (H800): 3 kernels | mla.q_b fwd |"),
            std::string::npos);
  EXPECT_NE(md.find("| memory_bound | roofline default |"), std::string::npos);
}

}  // namespace
}  // namespace deepsim

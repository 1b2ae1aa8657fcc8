// `deepsim serve --json` and the front ends' sim/api/serve_run.h give the same figures for the same
// scenario: the CLI, the GUI's serving tab and the Python bindings read one study.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "sim/api/serve_run.h"
#include "tests/cli/cli_runner.h"

namespace deepsim::api {
namespace {

const std::string kServing = std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/serving/deepseek-v3-h800.yaml";

std::string stdout_of(const std::string& args) {
  const test::CliResult r = test::run_deepsim(args, "2>/dev/null");
  EXPECT_EQ(r.code, 0) << args;
  return r.out;
}

TEST(ServeApiCli, RunServeEqualsDeepsimServesResultJson) {
  const std::string set = "serving.decode.batch_per_gpu=96";  // not the file's own value: overrides reach both
  const nlohmann::json j = nlohmann::json::parse(stdout_of("serve " + kServing + " --json --set " + set));
  ScenarioDoc doc = read_scenario_doc(kServing);
  doc.overrides.push_back(set);
  const ServeFigures f = run_serve(doc).figures;
  const nlohmann::json& d = j.at("serve").at("decode");
  const nlohmann::json& z = j.at("serve").at("sizing");
  EXPECT_EQ(d.at("batch_per_gpu").get<int>(), 96);
  EXPECT_EQ(f.decode_batch_per_gpu, 96);
  EXPECT_EQ(d.at("ep").get<int>(), f.decode_ep);
  EXPECT_DOUBLE_EQ(d.at("output_tokens_per_s_node").get<double>(), f.decode_tokens_per_s_node);
  EXPECT_DOUBLE_EQ(d.at("tpot_s").get<double>() * 1e3, f.tpot_ms);
  EXPECT_DOUBLE_EQ(d.at("ep_bound_tpot_s").get<double>() * 1e3, f.ep_bound_tpot_ms);
  EXPECT_DOUBLE_EQ(z.at("usd_per_m_output").get<double>(), f.usd_per_m_output);
  EXPECT_DOUBLE_EQ(z.at("usd_per_m_input_miss").get<double>(), f.usd_per_m_input_miss);
  EXPECT_EQ(z.at("decode_nodes").get<int>(), f.decode_nodes);
  EXPECT_DOUBLE_EQ(j.at("serve").at("prefill").at("ttft_s").get<double>(), f.ttft_s);
}

}  // namespace
}  // namespace deepsim::api

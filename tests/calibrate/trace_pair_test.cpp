// DeepSeek's trace of one overlapped forward+backward layer pair (tests/calibrate/data/
// dpsk-train-layer-pair.json, 1 MoE layer per chunk) against deepsim's simulation of that configuration
// (scenarios/validation/dpsk-trace-layer-pair.yaml): the comparison's arithmetic, the rate profile's
// in-sample property, and docs/validation.md holding exactly the tables the code computes.
#include "calibrate/src/trace_pair.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "calibrate/src/kernel_names.h"
#include "sim/perf/profile_yaml.h"
#include "sim/scenario/loader.h"
#include "tests/calibrate/calib_test_util.h"

namespace deepsim::calib {
namespace {

const char* kFixture = "tests/calibrate/data/dpsk-train-layer-pair.json";
const char* kScenario = "scenarios/validation/dpsk-trace-layer-pair.yaml";

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

KinetoTrace fixture() { return parse_kineto_trace(read(test::source_path(kFixture)), kFixture); }

Scenario scenario(const std::string& profile = "") {
  std::vector<std::string> set;
  if (!profile.empty()) set.push_back("calibration.profile=" + test::source_path("calibrate/profiles/" + profile + ".yaml"));
  return load_scenario_file(test::source_path(kScenario), set);
}

// The row of `family`; an empty family name when the comparison has none.
PairRow row(const PairComparison& c, const std::string& family) {
  for (const PairRow& r : c.rows)
    if (r.family == family) return r;
  return {};
}

TEST(TracePair, TraceSideIsTheTracesOwnKernelsAndSpan) {
  const KinetoTrace t = fixture();
  const PairComparison c = compare_layer_pair(t, scenario(), 1);
  double summed = 0;
  int kernels = 0;
  for (const PairRow& r : c.rows) summed += r.trace_us, kernels += r.trace_kernels;
  summed += c.trace_other_us;
  kernels += c.trace_other_kernels;
  // Every kernel of the trace is in exactly one row.
  EXPECT_EQ(kernels, static_cast<int>(t.kernels.size()));
  double all = 0;
  for (const KinetoKernel& k : t.kernels) all += k.dur_us;
  EXPECT_NEAR(summed, all, 1e-6);
  EXPECT_DOUBLE_EQ(c.trace_span_us, overlap_summary(t).span_us);
  EXPECT_EQ(c.compute_sms, 132 - 20);
  // DeepSeek's pair has FP8 GEMMs, weight gradients, casts, flash attention both ways and DeepEP.
  for (const char* f : {"gemm_fp8", "grouped_gemm_fp8", "wgrad_gemm_fp8", "fp8_cast", "attention_fwd", "attention_bwd",
                        "memory_bound", kCommunicationClass}) {
    const PairRow r = row(c, f);
    EXPECT_EQ(r.family, f);
    EXPECT_GT(r.trace_us, 0) << f;
    EXPECT_GT(r.sim_us, 0) << f;
  }
}

TEST(TracePair, SimulatedPairOverlapsBetweenItsComputeAndComputePlusCommunication) {
  // The F&B pair cannot beat its compute run back to back on 132 SMs, nor take longer than compute on
  // the 112 SMs left beside DeepEP plus every all-to-all exposed.
  const PairComparison c = compare_layer_pair(fixture(), scenario(), 1);
  const PairRow comm = row(c, kCommunicationClass);
  ASSERT_GT(comm.sim_us, 0);
  EXPECT_GT(c.sim_pair_us, c.sim_compute_us * 112.0 / 132.0 * 0.99);
  EXPECT_LT(c.sim_pair_us, c.sim_compute_us + comm.sim_us);
}

TEST(TracePair, RateProfileReproducesEachFamilyItWasBuiltFrom) {
  // In-sample by construction: each family's rate is the trace's time over deepsim's work, so deepsim
  // with the profile gives the trace's per-family time back (memory-bound: whenever the floor term
  // leaves a positive remainder).
  const KinetoTrace t = fixture();
  const KernelProfile p = trace_rate_profile(t, scenario(), 1, "trace-test", "test");
  const auto dir = test::scratch_dir();
  const std::string path = (dir / "trace-test.yaml").string();
  write_profile_file(p, path);
  std::vector<std::string> set{"calibration.profile=" + path};
  const PairComparison c = compare_layer_pair(t, load_scenario_file(test::source_path(kScenario), set), 1);
  for (const FamilyModel& m : p.families) {
    const PairRow r = row(c, to_string(m.family));
    EXPECT_EQ(r.family, to_string(m.family));
    if (m.coef[5] > 0 || m.coef[1] > 0) {
      EXPECT_NEAR(r.sim_us, r.trace_us, 0.02 * r.trace_us) << r.family;
    }
  }
}

// docs/validation.md shows `deepsim-calibrate pair` on the excerpt with each kernel model between
// markers; the test recomputes each and requires the doc's block to be exactly that output.
TEST(TracePair, ValidationDocHoldsWhatTheCodeComputes) {
  const std::string doc = read(test::source_path("docs/validation.md"));
  for (const std::string profile : {"", "h800-published", "h800-trace"}) {
    const std::string tag = profile.empty() ? "roofline" : profile;
    const std::string begin = "<!-- trace-pair:" + tag + " -->\n```\n";
    const auto at = doc.find(begin);
    ASSERT_NE(at, std::string::npos) << "docs/validation.md lacks the " << tag << " block";
    const auto end = doc.find("```\n", at + begin.size());
    ASSERT_NE(end, std::string::npos);
    const std::string shown = doc.substr(at + begin.size(), end - at - begin.size());
    EXPECT_EQ(shown, pair_table(compare_layer_pair(fixture(), scenario(profile), 1))) << tag;
  }
}

TEST(TracePair, ATraceWithoutKernelsIsAnInputError) {
  const KinetoTrace t = parse_kineto_trace(R"({"traceEvents": []})", "empty.json");
  EXPECT_THROW((void)compare_layer_pair(t, scenario(), 1), InputError);
  EXPECT_THROW((void)trace_rate_profile(t, scenario(), 1, "x", "y"), InputError);
}

}  // namespace
}  // namespace deepsim::calib

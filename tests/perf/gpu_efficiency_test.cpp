// Kernel efficiencies per GPU: each catalog GPU's table takes its measured families from its own
// micro-benchmarks and inherits the rest from H800, and says which; the roofline times follow them.
#include "sim/perf/gpu_efficiency.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "sim/hw/catalog.h"
#include "sim/perf/kernel_model_factory.h"

namespace deepsim {
namespace {

double eff(const GpuEfficiencies& e, OpFamily f) { return e.params.compute_efficiency[static_cast<std::size_t>(f)]; }

bool lists(const std::vector<std::string>& v, const std::string& s) { return std::ranges::find(v, s) != v.end(); }

TEST(GpuEfficiency, H800IsTheBaselineWithEverySourceNamed) {
  const GpuEfficiencies e = gpu_efficiencies(*find_gpu("H800"));
  EXPECT_DOUBLE_EQ(eff(e, OpFamily::kGemmFp8), 0.78);          // DeepGEMM 1550 / 1979 (R23)
  EXPECT_DOUBLE_EQ(eff(e, OpFamily::kGroupedGemmFp8), 0.68);   // DeepGEMM 1346 / 1979 (R22)
  EXPECT_DOUBLE_EQ(eff(e, OpFamily::kGemmBf16), 0.80);         // MAMF H100 SXM 794.5 / 989
  EXPECT_DOUBLE_EQ(e.params.memory_efficiency, 0.90);         // FlashMLA 3000 / 3350
  for (const EfficiencyFigure& f : e.own) EXPECT_FALSE(f.source.empty()) << f.what;
  EXPECT_TRUE(std::ranges::none_of(e.inherited, [](const std::string& s) { return s == "gemm_fp8"; }));
}

TEST(GpuEfficiency, A100TakesItsOwnGemmAttentionAndMemoryFigures) {
  const GpuEfficiencies e = gpu_efficiencies(*find_gpu("A100-80GB"));
  EXPECT_NEAR(eff(e, OpFamily::kGemmBf16), 271.2 / 312, 0.001);  // MAMF A100 SXM
  EXPECT_NEAR(eff(e, OpFamily::kWgradGemmBf16), 271.2 / 312, 0.001);
  EXPECT_DOUBLE_EQ(eff(e, OpFamily::kAttentionFwd), 0.73);         // FlashAttention-2 on A100
  EXPECT_NEAR(e.params.memory_efficiency, 1.80 / 2.04, 0.003);     // streaming read, 88%
  // No FP8 tensor cores: the FP8 families are neither measured nor reported as inherited.
  EXPECT_FALSE(lists(e.inherited, "gemm_fp8"));
  EXPECT_TRUE(lists(e.inherited, "grouped_gemm_bf16"));
  // A800 and A100 40 GB share the silicon and the figures.
  EXPECT_DOUBLE_EQ(eff(gpu_efficiencies(*find_gpu("A800")), OpFamily::kGemmBf16), eff(e, OpFamily::kGemmBf16));
  EXPECT_DOUBLE_EQ(eff(gpu_efficiencies(*find_gpu("A100-40GB")), OpFamily::kGemmBf16), eff(e, OpFamily::kGemmBf16));
}

TEST(GpuEfficiency, BlackwellFromMamfAndTheRestInherited) {
  const GpuEfficiencies b = gpu_efficiencies(*find_gpu("B200"));
  EXPECT_NEAR(eff(b, OpFamily::kGemmBf16), 1745.0 / 2250, 0.001);
  EXPECT_NEAR(eff(b, OpFamily::kGemmFp8), 3432.5 / 4500, 0.001);
  EXPECT_TRUE(lists(b.inherited, "grouped_gemm_fp8"));
  EXPECT_TRUE(lists(b.inherited, "memory"));
  const GpuEfficiencies g = gpu_efficiencies(*find_gpu("GB200"));
  EXPECT_NEAR(eff(g, OpFamily::kGemmBf16), 1822.0 / 2500, 0.001);
  EXPECT_NEAR(eff(g, OpFamily::kGemmFp8), 3615.6 / 5000, 0.001);
}

TEST(GpuEfficiency, EveryCatalogGpuSaysWhatItMeasuredAndWhatItInherited) {
  for (const GpuSpec& g : gpu_catalog()) {
    const GpuEfficiencies e = gpu_efficiencies(g);
    const std::string text = describe_efficiencies(e);
    EXPECT_NE(text.find(g.name), std::string::npos) << text;
    for (const EfficiencyFigure& f : e.own) {
      EXPECT_NE(text.find(f.what), std::string::npos) << text;
      EXPECT_GT(f.value, 0.3) << g.name << " " << f.what;
      EXPECT_LE(f.value, 1.0) << g.name << " " << f.what;
    }
    // Own and inherited never overlap, and together cover memory.
    for (const std::string& i : e.inherited)
      EXPECT_TRUE(std::ranges::none_of(e.own, [&](const EfficiencyFigure& f) { return f.what == i; })) << i;
    EXPECT_TRUE(lists(e.inherited, "memory") ||
                std::ranges::any_of(e.own, [](const EfficiencyFigure& f) { return f.what == "memory"; }))
        << g.name;
  }
  // H20 has no published kernel measurement: everything is inherited, and the text says so.
  const std::string h20 = describe_efficiencies(gpu_efficiencies(*find_gpu("H20")));
  EXPECT_NE(h20.find("none measured"), std::string::npos) << h20;
}

TEST(GpuEfficiency, RooflineTimesAGemmWithTheGpusOwnFigure) {
  // A large BF16 GEMM, 8192^3, on the A100 under its own table and under H800's: only the efficiency
  // differs (same peak, same waves), so the times differ by its ratio (the 2 us launch is negligible).
  const GpuSpec a100 = *find_gpu("A100-80GB");
  const auto tuned = make_kernel_model(a100, "", "", {});
  const RooflineModel h800_table(a100, default_roofline_params());
  OpWork w{.family = OpFamily::kGemmBf16, .flops = Flops(2.0 * 8192 * 8192 * 8192), .bytes = Bytes(0),
           .m = 8192, .n = 8192, .k = 8192};
  const double t_a100 = tuned->time(w, 108).seconds(), t_h800 = h800_table.time(w, 108).seconds();
  EXPECT_NEAR(t_h800 / t_a100, (271.2 / 312) / 0.80, 0.01);
  EXPECT_NE(tuned->describe().find("A100-80GB kernel efficiencies"), std::string::npos) << tuned->describe();
}

}  // namespace
}  // namespace deepsim

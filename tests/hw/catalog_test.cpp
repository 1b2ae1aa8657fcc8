// The GPU catalog: every entry says what it is and where its figures come from; the figures that set a
// part apart (no FP8 on Ampere, the NVL72 NVLink domain, export-variant NVLink) are what the datasheets say.
#include "sim/hw/catalog.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace deepsim {
namespace {

TEST(GpuCatalog, EveryEntryIsDescribedAndSourced) {
  std::set<std::string> names;
  for (const GpuSpec& g : gpu_catalog()) {
    EXPECT_TRUE(names.insert(g.name).second) << "duplicate " << g.name;
    EXPECT_NE(g.description.find("NVIDIA"), std::string::npos) << g.name;
    EXPECT_FALSE(g.source.empty()) << g.name;
    EXPECT_GT(g.sms, 0) << g.name;
    EXPECT_GT(g.bf16_dense.per_s(), 0) << g.name;
    EXPECT_GE(g.nvlink_domain, 2) << g.name;
  }
  for (const char* n : {"H800", "H100", "H100-PCIe", "H200", "H20", "A100-40GB", "A100-80GB", "A800", "B200", "GB200"})
    EXPECT_TRUE(names.count(n)) << n;
}

TEST(GpuCatalog, AmpereHasNoFp8AndExportPartsHaveSlowerNvlink) {
  for (const char* n : {"A100-40GB", "A100-80GB", "A800"}) {
    const GpuSpec g = *find_gpu(n);
    EXPECT_EQ(g.arch, "ampere");
    EXPECT_EQ(g.fp8_dense.per_s(), 0.0) << n;
    EXPECT_DOUBLE_EQ(g.bf16_dense.per_s(), 312e12) << n;  // A100 datasheet, dense BF16
  }
  // A800 and H800: 400 GB/s bidirectional against 600 (A100) and 900 (H100).
  EXPECT_DOUBLE_EQ(find_gpu("A800")->nvlink_per_direction.bytes_per_s(), 200e9);
  EXPECT_DOUBLE_EQ(find_gpu("A100-80GB")->nvlink_per_direction.bytes_per_s(), 300e9);
  EXPECT_DOUBLE_EQ(find_gpu("H800")->nvlink_per_direction.bytes_per_s(), 200e9);
  EXPECT_DOUBLE_EQ(find_gpu("H100")->nvlink_per_direction.bytes_per_s(), 450e9);
  // The 40 GB A100 has less bandwidth than the 80 GB one (HBM2 1555 vs HBM2e 2039 GB/s).
  EXPECT_LT(find_gpu("A100-40GB")->hbm_bandwidth.bytes_per_s(), find_gpu("A100-80GB")->hbm_bandwidth.bytes_per_s());
}

TEST(GpuCatalog, Gb200JoinsSeventyTwoGpusOnOneNvlinkDomain) {
  const GpuSpec g = *find_gpu("gb200");  // case-insensitive
  EXPECT_EQ(g.nvlink_domain, 72);
  EXPECT_EQ(find_gpu("B200")->nvlink_domain, 8);
  EXPECT_EQ(find_gpu("H100-PCIe")->nvlink_domain, 2);  // NVLink bridge between two cards
  EXPECT_NE(g.description.find("NVL72"), std::string::npos);
}

TEST(GpuCatalog, DescriptionSaysWhatTheGpuIsAndWhatWasOverridden) {
  GpuSpec g = *find_gpu("A800");
  EXPECT_EQ(describe_gpu(g), "NVIDIA A800 SXM4 80 GB (Ampere, export variant: NVLink 400 GB/s)");
  g.sms = 100;
  g.hbm = Bytes(40e9);
  EXPECT_EQ(describe_gpu(g), "NVIDIA A800 SXM4 80 GB (Ampere, export variant: NVLink 400 GB/s); overridden: sms, hbm_gb");
}

}  // namespace
}  // namespace deepsim

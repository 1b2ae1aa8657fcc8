#include "sim/hw/catalog.h"

#include <vector>

#include "sim/core/suggest.h"

namespace deepsim {
namespace {

struct GpuFigures {
  const char* name;
  const char* description;
  const char* arch;
  int sms;
  double bf16_tflops;  // dense
  double fp8_tflops;   // dense; 0: no FP8 tensor cores (Ampere)
  double hbm_bytes;
  double hbm_gbps;
  double nvlink_dir_gbps;
  double pcie_dir_gbps;
  double tdp_w;
  int nvlink_domain;
  const char* source;
};

GpuSpec make(const GpuFigures& f) {
  GpuSpec g;
  g.name = f.name;
  g.description = f.description;
  g.arch = f.arch;
  g.sms = f.sms;
  g.bf16_dense = FlopRate::tflops(f.bf16_tflops);
  g.fp8_dense = FlopRate::tflops(f.fp8_tflops);
  g.hbm = Bytes(f.hbm_bytes);
  g.hbm_bandwidth = Bandwidth::gb_per_s(f.hbm_gbps);
  g.nvlink_per_direction = Bandwidth::gb_per_s(f.nvlink_dir_gbps);
  // ISCA 4.3: of H800's 200 GB/s per direction about 160 GB/s is achievable; the same protocol
  // efficiency is assumed for the other NVLink generations.
  g.nvlink_achievable = 0.8;
  g.pcie_per_direction = Bandwidth::gb_per_s(f.pcie_dir_gbps);
  g.pcie_achievable = 0.85;
  g.tdp_w = f.tdp_w;
  g.nvlink_domain = f.nvlink_domain;
  g.source = f.source;
  return g;
}

// PCIe per direction: Gen4 x16 = 16 GT/s x 16 lanes x 128b/130b = 31.5 GB/s; Gen5 x16 = 63 GB/s (64 is
// the rounded figure the H800 model always used; kept for Gen5 parts).
constexpr double kPcie4 = 31.5, kPcie5 = 64.0;
// Capacities as CUDA reports them where known (R3: 84,943,110,144 B for the 80 GB HBM3 Hopper parts);
// otherwise the datasheet's decimal GB (Ampere, H100 PCIe, H200, H20, Blackwell).
constexpr double kHbm80Hopper = 84'943'110'144.0;

const std::vector<GpuSpec>& gpus() {
  static const std::vector<GpuSpec> list = [] {
    const GpuFigures table[] = {
        {"H800", "NVIDIA H800 SXM5 80 GB (Hopper, export variant: NVLink 400 GB/s)", "hopper", 132, 989.4, 1978.8,
         kHbm80Hopper, 3350, 200, kPcie5, 700, 8,
         "DeepSeek-V3 TR 3.5.1 (132 SMs); FlashMLA deep-dive (3.35 TB/s, 990 TFLOPS BF16); FP8 = 2 x BF16 "
         "(TR 3.3.1); ISCA'25 4.1/4.3 (NVLink 400 GB/s bidirectional, ~160 of 200 GB/s achievable)"},
        {"H100", "NVIDIA H100 SXM5 80 GB (Hopper)", "hopper", 132, 989.4, 1978.8, kHbm80Hopper, 3350, 450, kPcie5, 700,
         8, "NVIDIA H100 Tensor Core GPU datasheet (SXM5): 989.4 TFLOPS BF16 and 1978.8 FP8 dense, 80 GB HBM3 "
            "3.35 TB/s, NVLink 900 GB/s, 700 W; 132 SMs (NVIDIA Hopper architecture whitepaper)"},
        {"H100-PCIe", "NVIDIA H100 PCIe 80 GB (Hopper)", "hopper", 114, 756.5, 1513.0, 80e9, 2000, 300, kPcie5, 350, 2,
         "NVIDIA H100 datasheet (PCIe): 756 TFLOPS BF16 and 1513 FP8 dense, 80 GB HBM2e 2.0 TB/s, NVLink bridge "
         "600 GB/s between 2 cards, 350 W; 114 SMs (Hopper whitepaper)"},
        {"H200", "NVIDIA H200 SXM 141 GB (Hopper, HBM3e)", "hopper", 132, 989.4, 1978.8, 141e9, 4800, 450, kPcie5, 700,
         8, "NVIDIA H200 datasheet (SXM): 141 GB HBM3e, 4.8 TB/s, NVLink 900 GB/s, 700 W; H100 SXM compute"},
        {"H20", "NVIDIA H20 96 GB (Hopper, export variant: 78 SMs)", "hopper", 78, 148.0, 296.0, 96e9, 4000, 450, kPcie5,
         400, 8, "NVIDIA HGX H20 product brief: 148 TFLOPS BF16 and 296 FP8 dense, 96 GB HBM3 4.0 TB/s, NVLink "
                 "900 GB/s, 400 W; 78 SMs (cudaGetDeviceProperties as reported by H20 users)"},
        {"A100-40GB", "NVIDIA A100 SXM4 40 GB (Ampere, no FP8)", "ampere", 108, 312.0, 0.0, 40e9, 1555, 300,
         kPcie4, 400, 8,
         "NVIDIA A100 datasheet (SXM4 40 GB): 312 TFLOPS BF16/FP16 dense, 1555 GB/s HBM2, NVLink 3 600 GB/s, "
         "400 W; 108 SMs (NVIDIA Ampere GA100 whitepaper)"},
        {"A100-80GB", "NVIDIA A100 SXM4 80 GB (Ampere, no FP8)", "ampere", 108, 312.0, 0.0, 80e9, 2039, 300,
         kPcie4, 400, 8,
         "NVIDIA A100 datasheet (SXM4 80 GB): 312 TFLOPS BF16/FP16 dense, 2039 GB/s HBM2e, NVLink 3 600 GB/s, "
         "400 W; 108 SMs (GA100 whitepaper); the Selene GPU (dense-validation.md)"},
        {"A800", "NVIDIA A800 SXM4 80 GB (Ampere, export variant: NVLink 400 GB/s)", "ampere", 108, 312.0, 0.0,
         80e9, 2039, 200, kPcie4, 400, 8,
         "NVIDIA A800 datasheet (SXM4 80 GB): A100 80 GB compute and memory, NVLink 400 GB/s bidirectional"},
        {"B200", "NVIDIA B200 180 GB (Blackwell, HGX B200)", "blackwell", 148, 2250.0, 4500.0, 180e9, 8000, 900, kPcie5,
         1000, 8,
         "NVIDIA HGX B200 datasheet: 2.25 PFLOPS BF16 and 4.5 PFLOPS FP8 dense per GPU, 180 GB HBM3e 8 TB/s, "
         "NVLink 5 1.8 TB/s bidirectional, 1000 W; 148 SMs (Blackwell architecture technical brief)"},
        {"GB200", "NVIDIA GB200 NVL72 Blackwell GPU, 186 GB (72 GPUs on one NVLink domain)", "blackwell", 148, 2500.0,
         5000.0, 186e9, 8000, 900, kPcie5, 1200, 72,
         "NVIDIA GB200 NVL72 datasheet: 180 PFLOPS BF16 and 360 PFLOPS FP8 dense per 72 GPUs (2.5 / 5.0 each), "
         "13.4 TB HBM3e per 72 GPUs (186 GB each) at 8 TB/s, NVLink 5 1.8 TB/s bidirectional per GPU across all "
         "72 (130 TB/s), about 1200 W per GPU; 148 SMs as B200"},
    };
    std::vector<GpuSpec> v;
    for (const GpuFigures& f : table) v.push_back(make(f));
    return v;
  }();
  return list;
}

const std::vector<NicSpec>& nics() {
  static const std::vector<NicSpec> list = [] {
    std::vector<NicSpec> v;
    // ISCA'25 4.3: 50 GB/s per 400G NIC, "use 40GB/s for effective bandwidth"; Table 5 latencies.
    v.push_back({"cx7-ib-400g", Bandwidth::gbit_per_s(400), 0.8, Time::ns(2800), Time::ns(3700),
                 "ISCA'25 4.1, 4.3 and Table 5 (IB: 2.8 us same leaf, 3.7 us cross leaf)"});
    v.push_back({"cx7-roce-400g", Bandwidth::gbit_per_s(400), 0.8, Time::ns(3600), Time::ns(5600),
                 "ISCA'25 Table 5 (RoCE: 3.6 us same leaf, 5.6 us cross leaf)"});
    v.push_back({"cx8-ib-800g", Bandwidth::gbit_per_s(800), 0.8, Time::ns(2800), Time::ns(3700),
                 "ConnectX-8 800 Gb/s line rate; latency and efficiency assumed equal to CX7 IB"});
    return v;
  }();
  return list;
}

}  // namespace

std::span<const GpuSpec> gpu_catalog() { return gpus(); }
std::span<const NicSpec> nic_catalog() { return nics(); }

std::optional<GpuSpec> find_gpu(std::string_view name) {
  for (const auto& g : gpus())
    if (iequals(g.name, name)) return g;
  return std::nullopt;
}

std::optional<NicSpec> find_nic(std::string_view name) {
  for (const auto& n : nics())
    if (iequals(n.name, name)) return n;
  return std::nullopt;
}

std::string describe_gpu(const GpuSpec& g) {
  const std::optional<GpuSpec> base = find_gpu(g.name);
  if (!base) return g.description.empty() ? g.name : g.description;
  // Say which figures a scenario changed, in the schema's key names, so a report never passes an
  // altered part off as the catalog's.
  std::string changed;
  auto check = [&changed](bool differs, const char* key) {
    if (!differs) return;
    changed += changed.empty() ? "" : ", ";
    changed += key;
  };
  check(g.sms != base->sms, "sms");
  check(g.bf16_dense.per_s() != base->bf16_dense.per_s(), "bf16_dense_tflops");
  check(g.fp8_dense.per_s() != base->fp8_dense.per_s(), "fp8_dense_tflops");
  check(g.hbm.value() != base->hbm.value(), "hbm_gb");
  check(g.hbm_bandwidth.bytes_per_s() != base->hbm_bandwidth.bytes_per_s(), "hbm_bandwidth_gbps");
  check(g.nvlink_per_direction.bytes_per_s() != base->nvlink_per_direction.bytes_per_s(), "nvlink_gbps_per_direction");
  check(g.nvlink_achievable != base->nvlink_achievable, "nvlink_achievable");
  check(g.pcie_per_direction.bytes_per_s() != base->pcie_per_direction.bytes_per_s(), "pcie_gbps_per_direction");
  check(g.pcie_achievable != base->pcie_achievable, "pcie_achievable");
  check(g.tdp_w != base->tdp_w, "tdp_w");
  return base->description + (changed.empty() ? "" : "; overridden: " + changed);
}

Time nvlink_hop_latency() { return Time::ns(3330); }

}  // namespace deepsim

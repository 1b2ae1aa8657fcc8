#include "sim/hw/catalog.h"

#include <vector>

#include "sim/core/suggest.h"

namespace deepsim {
namespace {

GpuSpec hopper(std::string name, int sms, double bf16_tflops, double hbm_bytes, double hbm_gbps, double nvlink_dir_gbps,
               double tdp_w, std::string source) {
  GpuSpec g;
  g.name = std::move(name);
  g.arch = "hopper";
  g.sms = sms;
  g.bf16_dense = FlopRate::tflops(bf16_tflops);
  g.fp8_dense = FlopRate::tflops(bf16_tflops * 2.0);  // FP8 doubles BF16 on Hopper (TR 3.3.1)
  g.hbm = Bytes(hbm_bytes);
  g.hbm_bandwidth = Bandwidth::gb_per_s(hbm_gbps);
  g.nvlink_per_direction = Bandwidth::gb_per_s(nvlink_dir_gbps);
  // ISCA 4.3: of H800's 200 GB/s per direction about 160 GB/s is achievable; the same efficiency of
  // the NVLink 4 protocol is assumed for the other Hopper parts.
  g.nvlink_achievable = 0.8;
  g.pcie_per_direction = Bandwidth::gb_per_s(64.0);  // PCIe Gen5 x16: 32 GT/s x 16 lanes, 128b/130b
  g.pcie_achievable = 0.85;
  g.tdp_w = tdp_w;
  g.source = std::move(source);
  return g;
}

const std::vector<GpuSpec>& gpus() {
  // CUDA reports 84,943,110,144 B for the 80 GB HBM3 parts (reference R3).
  constexpr double kHbm80 = 84'943'110'144.0;
  static const std::vector<GpuSpec> list = [] {
    std::vector<GpuSpec> v;
    v.push_back(hopper("H800", 132, 989.4, kHbm80, 3350, 200, 700,
                       "DeepSeek-V3 TR 3.5.1 (132 SMs); FlashMLA deep-dive (3.35 TB/s, 990 TFLOPS BF16); "
                       "ISCA'25 4.1/4.3 (NVLink 400 GB/s bidirectional, ~160 of 200 GB/s achievable)"));
    v.push_back(hopper("H100", 132, 989.4, kHbm80, 3350, 450, 700,
                       "NVIDIA H100 SXM5 datasheet: 989.4 TFLOPS BF16 dense, 3.35 TB/s, NVLink 900 GB/s"));
    v.push_back(hopper("H200", 132, 989.4, 141e9, 4800, 450, 700,
                       "NVIDIA H200 SXM datasheet: 141 GB HBM3e, 4.8 TB/s, NVLink 900 GB/s, H100 compute"));
    v.push_back(hopper("H20", 78, 148.0, 96e9, 4000, 450, 400,
                       "NVIDIA H20 datasheet: 148 TFLOPS BF16 dense, 296 FP8, 96 GB, 4.0 TB/s, NVLink 900 GB/s"));
    GpuSpec b = hopper("B200", 148, 2250.0, 180e9, 8000, 900, 1000,
                       "NVIDIA HGX B200 datasheet: 2.25 PFLOPS BF16 dense, 4.5 PFLOPS FP8 dense per GPU, "
                       "180 GB HBM3e, 8 TB/s, NVLink 5 1.8 TB/s bidirectional");
    b.arch = "blackwell";
    v.push_back(b);
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

Time nvlink_hop_latency() { return Time::ns(3330); }

}  // namespace deepsim

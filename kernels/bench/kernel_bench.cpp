// deepsim-kernel-bench: times the FP8 GEMMs on a GPU at DeepSeek-V3's shapes and prints them beside
// DeepGEMM's published H800 figures (reference R21 dense, R22 contiguous grouped).
//   usage: deepsim-kernel-bench OUT.json [--warmup N] [--repeats N]   (--help, --version: common/cmdline)
// Per shape: N warm-up runs, then `repeats` runs each timed with CUDA events; the median is reported.
//   TFLOPS = 2 M N K / t,   GB/s = (M K + N K + 2 M N) / t   (FP8 in, BF16 out; grouped: times G)
// Exits 3 with the reason when no usable GPU is present, 2 on bad arguments.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <vector>

#include "cmdline/command_line.h"
#include "kernels/check.h"
#include "kernels/device.h"
#include "kernels/device_buffer.h"
#include "kernels/fp8_quant.h"
#include "kernels/gemm_cublaslt.h"
#include "kernels/grouped_gemm_fp8.h"

namespace dk = deepsim::kernels;
namespace dc = deepsim::cmdline;

namespace {

constexpr int kExitNoGpu = 3;
constexpr int kExitUsage = 2;

struct DenseShape {
  int m, n, k;
  double deepgemm_tflops, deepgemm_gbps;  // R21 (H800, DeepGEMM README @ a9967bc)
};
constexpr DenseShape kDense[] = {
    {64, 2112, 7168, 206, 1688},    {64, 24576, 1536, 289, 2455},   {64, 32768, 512, 219, 2143},
    {64, 7168, 16384, 336, 2668},   {64, 4096, 7168, 287, 2320},    {64, 7168, 2048, 295, 2470},
    {128, 2112, 7168, 352, 1509},   {128, 24576, 1536, 535, 2448},  {128, 32768, 512, 358, 2103},
    {128, 7168, 16384, 645, 2604},  {128, 4096, 7168, 533, 2221},   {128, 7168, 2048, 510, 2277},
    {4096, 2112, 7168, 1127, 562},  {4096, 24576, 1536, 1212, 962}, {4096, 32768, 512, 775, 1620},
    {4096, 7168, 16384, 1520, 384}, {4096, 4096, 7168, 1410, 541},  {4096, 7168, 2048, 1168, 794},
};
struct GroupedShape {
  int groups, m_per_group, n, k;
  double deepgemm_tflops, deepgemm_gbps;  // R22 contiguous layout
};
constexpr GroupedShape kGrouped[] = {
    {4, 8192, 4096, 7168, 1346, 434}, {4, 8192, 7168, 2048, 1214, 752},
    {8, 4096, 4096, 7168, 1346, 516}, {8, 4096, 7168, 2048, 1214, 826},
};

struct EventDeleter {
  void operator()(cudaEvent_t e) const noexcept { cudaEventDestroy(e); }
};
using Event = std::unique_ptr<std::remove_pointer_t<cudaEvent_t>, EventDeleter>;
Event make_event() {
  cudaEvent_t e = nullptr;
  DEEPSIM_CUDA_CHECK(cudaEventCreate(&e));
  return Event(e);
}

// Median milliseconds of `repeats` timed runs after `warmup` untimed ones.
double median_ms(const std::function<void()>& run, int warmup, int repeats) {
  for (int i = 0; i < warmup; ++i) run();
  const Event start = make_event(), stop = make_event();
  std::vector<float> ms(static_cast<std::size_t>(repeats));
  for (auto& t : ms) {
    DEEPSIM_CUDA_CHECK(cudaEventRecord(start.get()));
    run();
    DEEPSIM_CUDA_CHECK(cudaEventRecord(stop.get()));
    DEEPSIM_CUDA_CHECK(cudaEventSynchronize(stop.get()));
    DEEPSIM_CUDA_CHECK(cudaEventElapsedTime(&t, start.get(), stop.get()));
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

// Finite E4M3 codes (exponent field 0 or 8, so never NaN) from a fast LCG: timing needs no real data.
std::vector<std::uint8_t> random_codes(std::size_t n, std::uint32_t seed) {
  std::vector<std::uint8_t> v(n);
  std::uint32_t s = seed;
  for (auto& c : v) {
    s = s * 1664525u + 1013904223u;
    c = static_cast<std::uint8_t>((s >> 24) & 0xC7u);  // sign, top exponent bit, mantissa
  }
  return v;
}
std::vector<float> random_scales(std::size_t n) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = 1.0f / static_cast<float>(1 + i % 7);
  return v;
}

struct Row {
  std::string kind;
  int groups, m, n, k;
  double ms, tflops, gbps, deepgemm_tflops, deepgemm_gbps;
};

Row measure(const std::string& kind, int groups, int m, int n, int k, double ms, double dg_tflops, double dg_gbps) {
  const double flops = 2.0 * groups * m * static_cast<double>(n) * k;
  const double bytes = groups * (static_cast<double>(m) * k + static_cast<double>(n) * k + 2.0 * m * n);
  const double s = ms * 1e-3;
  Row r{kind, groups, m, n, k, ms, flops / s * 1e-12, bytes / s * 1e-9, dg_tflops, dg_gbps};
  std::printf("%-22s G=%d M=%-6d N=%-6d K=%-6d %9.1f us %8.1f TFLOPS %8.1f GB/s   DeepGEMM %6.0f TFLOPS %6.0f GB/s\n",
              kind.c_str(), groups, m, n, k, ms * 1e3, r.tflops, r.gbps, dg_tflops, dg_gbps);
  return r;
}

std::vector<Row> bench_dense(dk::CublasLtGemm& gemm, int warmup, int repeats) {
  std::vector<Row> rows;
  for (const DenseShape& s : kDense) {
    dk::DeviceBuffer<std::uint8_t> a(random_codes(static_cast<std::size_t>(s.m) * s.k, 1)), b(random_codes(static_cast<std::size_t>(s.n) * s.k, 2));
    dk::DeviceBuffer<float> as(random_scales(static_cast<std::size_t>(dk::scale_count_1x128(s.m, s.k))));
    dk::DeviceBuffer<float> bs(random_scales(static_cast<std::size_t>(dk::scale_count_128x128(s.n, s.k))));
    dk::DeviceBuffer<__nv_bfloat16> c(static_cast<std::size_t>(s.m) * s.n);
    const auto p = dk::fp8_fprop_params(a.data(), as.data(), b.data(), bs.data(), c.data(), dk::GemmOutType::kBf16, s.m, s.k, s.n);
    const double ms = median_ms([&] { gemm.fp8(p, nullptr); }, warmup, repeats);
    rows.push_back(measure("fp8_cublaslt", 1, s.m, s.n, s.k, ms, s.deepgemm_tflops, s.deepgemm_gbps));
  }
  return rows;
}

std::vector<Row> bench_grouped(dk::CublasLtGemm& gemm, int warmup, int repeats) {
  std::vector<Row> rows;
  for (const GroupedShape& s : kGrouped) {
    const int total = s.groups * s.m_per_group;
    std::vector<int> offsets(static_cast<std::size_t>(s.groups) + 1);
    for (int g = 0; g <= s.groups; ++g) offsets[static_cast<std::size_t>(g)] = g * s.m_per_group;
    dk::DeviceBuffer<std::uint8_t> a(random_codes(static_cast<std::size_t>(total) * s.k, 3));
    dk::DeviceBuffer<std::uint8_t> b(random_codes(static_cast<std::size_t>(s.groups) * s.n * s.k, 4));
    dk::DeviceBuffer<float> as(random_scales(static_cast<std::size_t>(dk::scale_count_1x128(total, s.k))));
    dk::DeviceBuffer<float> bs(random_scales(static_cast<std::size_t>(s.groups * dk::scale_count_128x128(s.n, s.k))));
    dk::DeviceBuffer<int> off(offsets);
    dk::DeviceBuffer<__nv_bfloat16> d(static_cast<std::size_t>(total) * s.n);
    dk::DeviceBuffer<float> scratch(static_cast<std::size_t>(dk::grouped_gemm_scale_scratch_floats(total, s.groups, s.k)));
    dk::Fp8GroupedGemmParams p;
    p.a = a.data();
    p.a_scale = as.data();
    p.b = b.data();
    p.b_scale = bs.data();
    p.offsets = off.data();
    p.d = d.data();
    p.total_rows = total;
    p.groups = s.groups;
    p.n = s.n;
    p.k = s.k;
    const double ms_mma = median_ms([&] { dk::fp8_grouped_gemm(p, nullptr); }, warmup, repeats);
    rows.push_back(measure("grouped_sm90_mma", s.groups, s.m_per_group, s.n, s.k, ms_mma, s.deepgemm_tflops, s.deepgemm_gbps));
    const double ms_loop = median_ms([&] { dk::fp8_grouped_gemm_cublaslt_loop(gemm, p, offsets, scratch.data(), nullptr); },
                                     warmup, repeats);
    rows.push_back(measure("grouped_cublaslt_loop", s.groups, s.m_per_group, s.n, s.k, ms_loop, s.deepgemm_tflops, s.deepgemm_gbps));
  }
  return rows;
}

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int bench(const std::string& out_path, int warmup, int repeats);

// Arguments, --help and --version are handled before the GPU is looked at, so they work on any machine.
dc::Program program() {
  dc::CommandSpec spec{"", "OUT.json", 1, 1,
                       "time the FP8 GEMMs at DeepSeek-V3's shapes beside DeepGEMM's published H800 figures",
                       {{"warmup", "N", false, "untimed runs per shape, 0..10000 (default 5)"},
                        {"repeats", "N", false, "timed runs per shape (median reported), 1..100000 (default 20)"}},
                       "TFLOPS = 2 M N K / t; GB/s = (M K + N K + 2 M N) / t (FP8 in, BF16 out; grouped: times G).\n"
                       "Writes OUT.json (deepsim-calibrate fit --bench OUT.json reads it)."};
  dc::Program p{"deepsim-kernel-bench", DEEPSIM_KERNEL_BENCH_VERSION, "FP8 GEMM micro-benchmarks", {},
                "exit codes: 0 ok, 1 run failed, 2 bad arguments, 3 no usable GPU"};
  p.commands.push_back({spec, [](const dc::Args& a) {
                          return bench(a.positional().at(0), static_cast<int>(a.get_int("warmup", 0, 10000).value_or(5)),
                                       static_cast<int>(a.get_int("repeats", 1, 100000).value_or(20)));
                        }});
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return dc::run_program(program(), std::vector<std::string>(argv + 1, argv + argc), std::cout, kExitUsage);
  } catch (const dc::UsageError& e) {
    std::cerr << dc::format_usage_error(e) << "\n";
    return kExitUsage;
  }
}

namespace {

int bench(const std::string& out_path, int warmup, int repeats) {
  const dk::DeviceInfo dev = dk::query_device();
  if (!dev.available) {
    std::fprintf(stderr, "deepsim-kernel-bench: no usable GPU: %s\n", dev.reason.c_str());
    return kExitNoGpu;
  }
  std::printf("%s, sm_%d%d, %d SMs, driver %d, CUDA runtime %d\n", dev.name.c_str(), dev.sm_major, dev.sm_minor, dev.sms,
              dev.driver_version, dev.runtime_version);
  std::vector<Row> rows;
  try {
    dk::CublasLtGemm gemm;
    rows = bench_dense(gemm, warmup, repeats);
    const std::vector<Row> grouped = bench_grouped(gemm, warmup, repeats);
    rows.insert(rows.end(), grouped.begin(), grouped.end());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "deepsim-kernel-bench: %s\n", e.what());
    return 1;
  }

  nlohmann::json j;
  j["device"] = dev.name;
  j["sm"] = std::to_string(dev.sm_major) + std::to_string(dev.sm_minor);
  j["sms"] = dev.sms;
  j["driver_version"] = dev.driver_version;
  j["cuda_runtime_version"] = dev.runtime_version;
  j["date_utc"] = utc_now();
  j["warmup"] = warmup;
  j["repeats"] = repeats;
  j["reference"] = "DeepGEMM README @ a9967bc, H800 SXM5 (reference R21, R22)";
  for (const Row& r : rows) {
    j["results"].push_back({{"kernel", r.kind}, {"groups", r.groups}, {"m", r.m}, {"n", r.n}, {"k", r.k},
                            {"median_ms", r.ms}, {"tflops", r.tflops}, {"gbps", r.gbps},
                            {"deepgemm_tflops", r.deepgemm_tflops}, {"deepgemm_gbps", r.deepgemm_gbps}});
  }
  std::ofstream out(out_path);
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", out_path.c_str());
    return 1;
  }
  out << j.dump(2) << "\n";
  std::printf("wrote %s\n", out_path.c_str());
  return 0;
}

}  // namespace

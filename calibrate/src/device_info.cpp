#include "calibrate/src/device_info.h"

#include <algorithm>
#include <cctype>

#include "sim/hw/catalog.h"

namespace deepsim::calib {

std::string catalog_name_for(const std::string& device_name) {
  auto upper = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  };
  const std::string dev = upper(device_name);
  std::string best;
  for (const GpuSpec& g : gpu_catalog())
    if (dev.find(upper(g.name)) != std::string::npos && g.name.size() > best.size()) best = g.name;
  return best;
}

std::optional<GpuSpec> device_gpu_spec(const DeviceInfo& d) {
  std::optional<GpuSpec> g = find_gpu(d.catalog);
  if (!g) return std::nullopt;
  if (d.sms > 0 && g->sms > 0 && d.sms != g->sms) {
    const double ratio = static_cast<double>(d.sms) / g->sms;
    g->bf16_dense = FlopRate::per_s(g->bf16_dense.per_s() * ratio);
    g->fp8_dense = FlopRate::per_s(g->fp8_dense.per_s() * ratio);
    g->sms = d.sms;
  }
  if (d.memory_bandwidth_gbps > 0) g->hbm_bandwidth = Bandwidth::gb_per_s(d.memory_bandwidth_gbps);
  g->source += "; SMs and memory bandwidth as the device reported them (" + d.name + ")";
  return g;
}

}  // namespace deepsim::calib

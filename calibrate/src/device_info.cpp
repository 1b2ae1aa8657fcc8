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

}  // namespace deepsim::calib

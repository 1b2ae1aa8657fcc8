// DeviceInfo: which GPU, driver and CUDA a measurement was taken with, and its hardware-catalog name.
#pragma once

#include <string>

namespace deepsim::calib {

struct DeviceInfo {
  std::string name;     // as the driver reports it: "NVIDIA H100 80GB HBM3"
  std::string catalog;  // hardware-catalog key: "H100" ("" when the name matches no catalog GPU)
  int sms = 0;
  std::string driver;
  std::string cuda;
};

// The catalog GPU whose name occurs in `device_name`, longest match first ("H200" before "H20");
// "" when none does.
[[nodiscard]] std::string catalog_name_for(const std::string& device_name);

}  // namespace deepsim::calib

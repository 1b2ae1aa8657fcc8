// GpuSpec: what the simulator needs to know about one GPU model. Values come from the hardware catalog
// (catalog.cpp), each with its source; scenarios may override single fields.
#pragma once

#include <string>

#include "sim/core/units.h"

namespace deepsim {

struct GpuSpec {
  std::string name;                   // catalog key, e.g. "H800"
  std::string description;            // what the part is, in words: "NVIDIA H800 SXM5 80 GB (Hopper)"
  std::string arch;                   // "hopper", "blackwell"
  int sms = 0;                        // streaming multiprocessors
  FlopRate bf16_dense;                // dense BF16 tensor-core peak
  FlopRate fp8_dense;                 // dense FP8 tensor-core peak; zero where there are no FP8 tensor cores
  Bytes hbm;                          // HBM capacity
  Bandwidth hbm_bandwidth;            // HBM peak bandwidth
  Bandwidth nvlink_per_direction;     // nominal NVLink bandwidth per direction (H800: 200 GB/s)
  double nvlink_achievable = 0;       // fraction of nominal NVLink reachable by a real transfer (H800: 160/200)
  Bandwidth pcie_per_direction;       // GPU <-> NIC PCIe link, per direction
  double pcie_achievable = 0;         // fraction of nominal PCIe reachable
  double tdp_w = 0;                   // board power, watts (cost model)
  int nvlink_domain = 8;              // GPUs one NVLink/NVSwitch domain joins (GB200 NVL72: 72)
  std::string source;                 // where the numbers come from

  bool operator==(const GpuSpec&) const = default;
};

// A scale-out NIC model (bandwidth, achievable fraction and switch latencies of its fabric).
struct NicSpec {
  std::string name;                   // "cx7-ib-400g"
  Bandwidth line_rate;                // per direction
  double achievable = 0;              // fraction of line rate a long transfer reaches
  Time latency_same_leaf;             // end-to-end, two NICs under one leaf switch
  Time latency_cross_leaf;            // through a spine
  std::string source;

  bool operator==(const NicSpec&) const = default;
};

}  // namespace deepsim

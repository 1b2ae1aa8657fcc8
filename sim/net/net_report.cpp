#include "sim/net/net_report.h"

#include <cstdio>
#include <sstream>

#include "sim/core/format.h"

namespace deepsim {

std::string describe_topology(const Topology& f) {
  const TopologyCounts& c = f.counts;
  const ClusterSpec& cl = f.cluster;
  std::ostringstream out;
  out << "topology " << to_string(cl.topology.kind) << ": " << c.nodes << " nodes x " << cl.gpus_per_node << " "
      << cl.gpu.name << " = " << c.gpus << " GPUs, " << c.nics << " NICs (" << cl.nic.name << ", "
      << fixed(cl.nic.line_rate.gb_per_s(), 0) << " GB/s line rate, " << fixed(100 * cl.nic.achievable, 0)
      << "% achievable)\n"
      << "  planes            " << c.planes << "\n"
      << "  switches          " << c.switches() << " (radix " << cl.topology.switch_radix << "): leaf " << c.leaf
      << ", spine " << c.spine << ", core " << c.core << "; ports used " << c.switch_ports_used << "\n"
      << "  NVSwitch domains  " << c.nvswitches << " (NVLink " << fixed(cl.gpu.nvlink_per_direction.gb_per_s(), 0)
      << " GB/s per direction, " << fixed(100 * cl.gpu.nvlink_achievable, 0) << "% achievable)\n"
      << "  connections       ";
  for (int k = 0; k < kLinkClassCount; ++k)
    out << (k ? ", " : "") << to_string(static_cast<LinkClass>(k)) << " " << c.connections[static_cast<std::size_t>(k)];
  out << "\n  optical cables    " << c.optical_cables << " (" << c.optical_transceivers << " transceivers)\n"
      << "  directed links    " << f.links.size() << " in the flow model\n"
      << "  bisection         " << fixed(f.bisection_bandwidth().gb_per_s() / 1000.0, 2) << " TB/s (achievable)\n";
  return out.str();
}

std::string format_net_bench(const std::string& collective, int gpus, const std::vector<NetBenchRow>& rows) {
  std::ostringstream out;
  out << "# " << collective << " on " << gpus << " GPUs (simulated, flow level)\n"
      << "#        size         time      algbw      busbw";
  const bool ep = collective == "dispatch" || collective == "combine";
  if (ep) out << "   IB/GPU   NVL/GPU  DeepEP-RDMA";
  out << "   flows\n#         (B)         (us)     (GB/s)     (GB/s)";
  if (ep) out << "   (GB/s)    (GB/s)       (GB/s)";
  out << "\n";
  for (const auto& r : rows) {
    char line[256];
    std::snprintf(line, sizeof line, "%14.0f %12.2f %10.2f %10.2f", r.bytes, r.result.time.us_value(), r.result.algbw_gbps,
                  r.result.busbw_gbps);
    out << line;
    if (ep) {
      std::snprintf(line, sizeof line, " %8.2f  %8.2f  %11.2f", r.result.ib_gbps_per_gpu, r.result.nvlink_gbps_per_gpu,
                    r.result.deepep_rdma_gbps);
      out << line;
    }
    out << "  " << r.result.flows << "\n";
  }
  return out.str();
}

}  // namespace deepsim

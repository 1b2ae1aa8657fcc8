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

double NetBenchTable::avg_busbw_gbps() const {
  double sum = 0;
  for (const auto& r : rows) sum += r.result.busbw_gbps;
  return rows.empty() ? 0.0 : sum / static_cast<double>(rows.size());
}

std::string format_net_bench(const NetBenchTable& t) {
  std::ostringstream out;
  const bool ep = t.collective == "dispatch" || t.collective == "combine";
  out << "# deepsim net-bench: " << t.collective << " on " << t.gpus << " GPUs (" << t.nodes
      << (t.nodes == 1 ? " node" : " nodes") << "), simulated: flow model";
  if (ep && t.protocol != "none")
    out << " + DeepEP kernels (" << t.protocol.substr(std::string("deepep-").size()) << ")";
  else if (!ep && t.protocol != "none")
    out << " + NCCL protocol floor (" << t.protocol << ")";
  out << "\n#\n#       size         count      type   redop    root     time   algbw   busbw #wrong  ";
  out << (ep ? "    IB/GPU   NVL/GPU  DeepEP-RDMA" : "       proto");
  out << "      flows\n#        (B)    (elements)                               (us)  (GB/s)  (GB/s)        ";
  out << (ep ? "    (GB/s)    (GB/s)       (GB/s)" : "            ");
  out << "\n";
  for (const auto& r : t.rows) {
    char line[320];
    std::snprintf(line, sizeof line, "%12.0f  %12lld  %8s  %6s  %6d  %7.2f  %6.2f  %6.2f  %5s  ", r.bytes, r.count,
                  r.type.c_str(), r.redop.c_str(), -1, r.result.time.us_value(), r.result.algbw_gbps, r.result.busbw_gbps,
                  "N/A");
    out << line;
    if (ep) {
      std::snprintf(line, sizeof line, "  %8.2f  %8.2f  %11.2f", r.result.ib_gbps_per_gpu, r.result.nvlink_gbps_per_gpu,
                    r.result.deepep_rdma_gbps);
    } else {
      const std::string proto = r.result.protocol_applied
                                    ? std::string(to_string(r.result.algorithm)) + "/" + to_string(r.result.protocol)
                                    : std::string("flow");
      std::snprintf(line, sizeof line, "%12s", proto.c_str());
    }
    out << line;
    std::snprintf(line, sizeof line, "  %9zu\n", r.result.flows);
    out << line;
  }
  char footer[160];
  std::snprintf(footer, sizeof footer, "# Out of bounds values : N/A (simulated: no data is moved or checked)\n"
                                       "# Avg bus bandwidth    : %g \n#\n", t.avg_busbw_gbps());
  out << footer;
  return out.str();
}

}  // namespace deepsim

#include "sim/net/routing.h"

#include "sim/core/error.h"
#include "sim/core/rng.h"
#include "sim/net/flow_network.h"

namespace deepsim {

Router::Router(const Topology& topo, RoutingPolicy policy)
    : f_(topo), policy_(policy), load_(topo.links.size(), 0.0) {}

TopologyVertexId Router::leaf_of_nic(int nic) const {
  const auto n = static_cast<std::size_t>(nic);
  const int local = nic % f_.cluster.nics_per_node;
  const std::size_t group = f_.leaves.size() > 1 ? static_cast<std::size_t>(local) : 0;
  return f_.leaves[group][static_cast<std::size_t>(f_.nic_leaf[n])];
}

std::size_t Router::pick(std::size_t candidates, std::uint64_t key, const std::vector<std::vector<LinkId>>& options,
                         double bytes) {
  DEEPSIM_ASSERT(candidates > 0, "no equal-cost path");
  std::size_t best = 0;
  if (policy_ == RoutingPolicy::kEcmp) {
    best = static_cast<std::size_t>(mix64(key) % candidates);
  } else {
    double best_load = -1;
    for (std::size_t i = 0; i < candidates; ++i) {
      double l = 0;
      for (LinkId id : options[i]) l = std::max(l, load_[id.value()] / f_.links[id].capacity.bytes_per_s());
      if (best_load < 0 || l < best_load) {
        best_load = l;
        best = i;
      }
    }
    for (LinkId id : options[best]) load_[id.value()] += bytes;
  }
  return best;
}

void Router::switch_path(int src_nic, int dst_nic, std::uint64_t key, double bytes, std::vector<LinkId>& out) {
  const TopologyVertexId a = f_.nic[static_cast<std::size_t>(src_nic)], b = f_.nic[static_cast<std::size_t>(dst_nic)];
  const TopologyVertexId la = leaf_of_nic(src_nic), lb = leaf_of_nic(dst_nic);
  out.push_back(f_.link(a, la));
  if (la != lb) {
    const bool three_layer = f_.cluster.topology.kind == TopologyKind::kFatTree3;
    const int pa = f_.graph[la].pod, pb = f_.graph[lb].pod;
    std::vector<std::vector<LinkId>> options;
    if (!three_layer) {
      // Spines adjacent to both leaves (in their plane, or the shared layer).
      const int plane = f_.graph[la].plane;
      const auto& spines = f_.spines.size() > 1 ? f_.spines[static_cast<std::size_t>(plane)] : f_.spines[0];
      for (TopologyVertexId s : spines) options.push_back({f_.link(la, s), f_.link(s, lb)});
    } else if (pa == pb) {
      for (TopologyVertexId s : f_.spines[static_cast<std::size_t>(pa)]) options.push_back({f_.link(la, s), f_.link(s, lb)});
    } else {
      const auto& sa = f_.spines[static_cast<std::size_t>(pa)];
      const auto& sb = f_.spines[static_cast<std::size_t>(pb)];
      for (std::size_t i = 0; i < sa.size(); ++i) {
        for (auto [e, end] = boost::out_edges(sa[i], f_.graph); e != end; ++e) {
          const TopologyVertexId core = boost::target(*e, f_.graph);
          if (f_.graph[core].kind != VertexKind::kCore) continue;
          options.push_back({f_.link(la, sa[i]), f_.link(sa[i], core), f_.link(core, sb[i]), f_.link(sb[i], lb)});
        }
      }
    }
    const std::size_t i = pick(options.size(), key, options, bytes);
    out.insert(out.end(), options[i].begin(), options[i].end());
  }
  out.push_back(f_.link(lb, b));
}

Route Router::route_via_nic(int src_gpu, int dst_gpu, std::uint64_t flow, double bytes) {
  Route r;
  const TopologyVertexId gs = f_.gpu[static_cast<std::size_t>(src_gpu)], gd = f_.gpu[static_cast<std::size_t>(dst_gpu)];
  const int ns = f_.nic_of_gpu(src_gpu), nd = f_.nic_of_gpu(dst_gpu);
  r.links.push_back(f_.link(gs, f_.nic[static_cast<std::size_t>(ns)]));
  const std::uint64_t key = (static_cast<std::uint64_t>(src_gpu) << 40) ^ (static_cast<std::uint64_t>(dst_gpu) << 16) ^ flow;
  switch_path(ns, nd, key, bytes, r.links);
  r.links.push_back(f_.link(f_.nic[static_cast<std::size_t>(nd)], gd));
  r.latency = path_latency(f_.links, r.links);
  return r;
}

Route Router::route(int src_gpu, int dst_gpu, std::uint64_t flow, double bytes) {
  DEEPSIM_ASSERT(src_gpu != dst_gpu, "a route needs two different GPUs");
  const TopologyVertexId gs = f_.gpu[static_cast<std::size_t>(src_gpu)], gd = f_.gpu[static_cast<std::size_t>(dst_gpu)];
  const int node_s = f_.node_of(src_gpu), node_d = f_.node_of(dst_gpu);
  Route r;
  if (node_s == node_d) {
    const TopologyVertexId sw = f_.nvswitch[static_cast<std::size_t>(node_s)];
    r.links = {f_.link(gs, sw), f_.link(sw, gd)};
    r.latency = path_latency(f_.links, r.links);
    return r;
  }
  int entry = src_gpu;
  if (f_.cluster.topology.kind == TopologyKind::kMultiPlaneFatTree) {
    // Forward over NVLink to the source node's GPU whose NIC is on the destination's plane.
    const int plane = f_.nic_of_gpu(dst_gpu) % f_.cluster.nics_per_node;
    const int g = f_.cluster.gpus_per_node, n = f_.cluster.nics_per_node;
    if (f_.nic_of_gpu(src_gpu) % n != plane) entry = node_s * g + plane * g / n;
  }
  if (entry != src_gpu) {
    const TopologyVertexId sw = f_.nvswitch[static_cast<std::size_t>(node_s)];
    r.links = {f_.link(gs, sw), f_.link(sw, f_.gpu[static_cast<std::size_t>(entry)])};
  }
  const Route rest = route_via_nic(entry, dst_gpu, flow, bytes);
  r.links.insert(r.links.end(), rest.links.begin(), rest.links.end());
  r.latency = path_latency(f_.links, r.links);
  (void)gd;
  return r;
}

}  // namespace deepsim

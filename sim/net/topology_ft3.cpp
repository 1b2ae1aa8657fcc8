// Single-plane three-layer fat-tree: pods of k/2 leaves and A aggregation switches (A = leaf up-ports,
// one cable from every leaf to every aggregation switch of its pod), aggregation switches with k/2 ports
// down and k/2 up to a shared core layer. Aggregation switches are stored as `spines`, per pod.
#include "sim/core/error.h"
#include "sim/net/topology.h"

namespace deepsim::topology_detail {

void build_ft3(Topology& f) {
  const ClusterSpec& c = f.cluster;
  const TopologySpec& t = c.topology;
  const int k = t.switch_radix;
  int down = 0, up = 0;
  leaf_ports(t, down, up);
  const int nics = static_cast<int>(f.nic.size());
  const int nleaves = (nics + down - 1) / down;
  const int leaves_per_pod = k / 2;
  const int pods = (nleaves + leaves_per_pod - 1) / leaves_per_pod;
  const int aggs_per_pod = up;
  const int agg_up = k / 2;
  const int cores = std::max(1, (pods * aggs_per_pod * agg_up + k - 1) / k);
  if (pods > k)
    throw InputError({}, "cluster.topology", "a three-layer fat-tree of radix " + std::to_string(k) + " has at most " +
                                                 std::to_string(k) + " pods; this cluster needs " + std::to_string(pods));
  const Bandwidth nic_bw = c.nic.line_rate * c.nic.achievable;
  const Time nic_leaf = c.nic.latency_same_leaf / 2;
  const Time hop = (c.nic.latency_cross_leaf - c.nic.latency_same_leaf) / 2;
  f.leaves.assign(1, {});
  f.spines.assign(static_cast<std::size_t>(pods), {});
  for (int l = 0; l < nleaves; ++l) f.leaves[0].push_back(add_vertex(f, {VertexKind::kLeaf, -1, -1, -1, l / leaves_per_pod}));
  for (int i = 0; i < nics; ++i) {
    const auto leaf = static_cast<std::size_t>(i / down);
    connect(f, f.nic[static_cast<std::size_t>(i)], f.leaves[0][leaf], LinkClass::kNicLeaf, nic_bw, c.nic.line_rate, nic_leaf);
    f.nic_leaf[static_cast<std::size_t>(i)] = static_cast<int>(leaf);
  }
  for (int cc = 0; cc < cores; ++cc) f.cores.push_back(add_vertex(f, {VertexKind::kCore, -1, -1, -1, -1}));
  for (int p = 0; p < pods; ++p) {
    auto& aggs = f.spines[static_cast<std::size_t>(p)];
    for (int a = 0; a < aggs_per_pod; ++a) aggs.push_back(add_vertex(f, {VertexKind::kSpine, -1, -1, -1, p}));
    for (int l = p * leaves_per_pod; l < std::min(nleaves, (p + 1) * leaves_per_pod); ++l)
      for (TopologyVertexId a : aggs)
        connect(f, f.leaves[0][static_cast<std::size_t>(l)], a, LinkClass::kLeafSpine, nic_bw, c.nic.line_rate, hop);
    for (int a = 0; a < aggs_per_pod; ++a) {
      // Aggregation switch a of every pod spreads its k/2 up-links over the cores, bundling repeats.
      std::vector<int> cables(static_cast<std::size_t>(cores), 0);
      for (int u = 0; u < agg_up; ++u) ++cables[static_cast<std::size_t>((a * agg_up + u) % cores)];
      for (int cc = 0; cc < cores; ++cc)
        if (cables[static_cast<std::size_t>(cc)] > 0)
          connect(f, aggs[static_cast<std::size_t>(a)], f.cores[static_cast<std::size_t>(cc)], LinkClass::kSpineCore,
                  nic_bw, c.nic.line_rate, hop, cables[static_cast<std::size_t>(cc)]);
    }
  }
  f.counts.leaf = nleaves;
  f.counts.spine = pods * aggs_per_pod;
  f.counts.core = cores;
}

}  // namespace deepsim::topology_detail

// Benchmarks of the flow model on a link set shaped like DeepSeek's 2048-GPU multi-plane fat-tree:
// 256 nodes x 8 GPUs; NIC i of every node in plane i; each plane a two-layer fat-tree of 64-port
// switches (8 leaves of 32 down + 32 up ports, 32 spines with one port per leaf). Cross-plane traffic
// is forwarded over NVLink inside the source node first, as DeepEP does. The link set is built here
// so the benchmark stands alone; the topology builders can replace it.
// Figures and the command that produced them are in docs/performance.md.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "sim/net/flow_run.h"
#include "sim/net/flow_network.h"

namespace deepsim {
namespace {

constexpr int kNodes = 256;
constexpr int kGpusPerNode = 8;  // = planes
constexpr int kNodesPerLeaf = 32;
constexpr int kLeaves = kNodes / kNodesPerLeaf;
constexpr int kSpines = 32;

struct XorShift {
  std::uint64_t s = 0x9E3779B97F4A7C15ULL;
  std::uint64_t operator()() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

struct FatTree {
  LinkTable links;
  // Per GPU g = node * 8 + local: NVLink up/down, PCIe up (GPU->NIC) / down, NIC->leaf, leaf->NIC.
  std::vector<LinkId> nv_up, nv_down, pcie_up, pcie_down, nic_leaf, leaf_nic;
  // Per plane, leaf, spine.
  std::vector<LinkId> leaf_spine, spine_leaf;

  [[nodiscard]] LinkId up(int plane, int leaf, int spine) const { return leaf_spine[index(plane, leaf, spine)]; }
  [[nodiscard]] LinkId down(int plane, int leaf, int spine) const { return spine_leaf[index(plane, leaf, spine)]; }
  static std::size_t index(int plane, int leaf, int spine) {
    return static_cast<std::size_t>((plane * kLeaves + leaf) * kSpines + spine);
  }

  // DeepEP-style route from GPU (a, i) to GPU (b, j), a != b: NVLink to (a, j), then plane j.
  void route(int a, int i, int b, int j, std::vector<LinkId>& path) const {
    const auto g = [](int node, int local) { return static_cast<std::size_t>(node * kGpusPerNode + local); };
    if (i != j) {
      path.push_back(nv_up[g(a, i)]);
      path.push_back(nv_down[g(a, j)]);
    }
    path.push_back(pcie_up[g(a, j)]);
    path.push_back(nic_leaf[g(a, j)]);
    const int la = a / kNodesPerLeaf;
    const int lb = b / kNodesPerLeaf;
    if (la != lb) {
      const int spine = (a + b) % kSpines;  // a fixed ECMP hash
      path.push_back(up(j, la, spine));
      path.push_back(down(j, lb, spine));
    }
    path.push_back(leaf_nic[g(b, j)]);
    path.push_back(pcie_down[g(b, j)]);
  }
};

FatTree build_fat_tree() {
  FatTree t;
  const auto add = [&t](LinkClass c, double gb_per_s, int plane) {
    return t.links.add(Link{c, Bandwidth::gb_per_s(gb_per_s), Bandwidth::gb_per_s(gb_per_s), Time::ns(500), plane});
  };
  for (int gpu = 0; gpu < kNodes * kGpusPerNode; ++gpu) {
    const int plane = gpu % kGpusPerNode;
    t.nv_up.push_back(add(LinkClass::kNvlink, 160, -1));
    t.nv_down.push_back(add(LinkClass::kNvlink, 160, -1));
    t.pcie_up.push_back(add(LinkClass::kPcie, 50, -1));
    t.pcie_down.push_back(add(LinkClass::kPcie, 50, -1));
    t.nic_leaf.push_back(add(LinkClass::kNicLeaf, 40, plane));
    t.leaf_nic.push_back(add(LinkClass::kNicLeaf, 40, plane));
  }
  for (int plane = 0; plane < kGpusPerNode; ++plane) {
    for (int leaf = 0; leaf < kLeaves; ++leaf) {
      for (int spine = 0; spine < kSpines; ++spine) {
        t.leaf_spine.push_back(add(LinkClass::kLeafSpine, 40, plane));
        t.spine_leaf.push_back(add(LinkClass::kLeafSpine, 40, plane));
      }
    }
  }
  return t;
}

// `count` flows between random GPU pairs on different nodes, paths stored back to back.
struct FlowSet {
  std::vector<LinkId> links;
  std::vector<std::uint32_t> begin{0};
  std::vector<double> bytes;
  [[nodiscard]] std::span<const LinkId> path(std::size_t f) const {
    return std::span<const LinkId>(links).subspan(begin[f], begin[f + 1] - begin[f]);
  }
};

FlowSet random_flows(const FatTree& t, int count) {
  XorShift rng;
  FlowSet s;
  for (int f = 0; f < count; ++f) {
    const int a = static_cast<int>(rng() % kNodes);
    const int b = (a + 1 + static_cast<int>(rng() % (kNodes - 1))) % kNodes;
    t.route(a, static_cast<int>(rng() % kGpusPerNode), b, static_cast<int>(rng() % kGpusPerNode), s.links);
    s.begin.push_back(static_cast<std::uint32_t>(s.links.size()));
    s.bytes.push_back(static_cast<double>(64'000 + rng() % 8'000'000));  // 64 kB .. 8 MB
  }
  return s;
}

// One full max-min solve: `range(0)` flows start at once and settle() rates them all (they form one
// component: the fabric is connected). Items: flows rated.
void BM_FlowSolveAllAtOnce(benchmark::State& state) {
  const FatTree t = build_fat_tree();
  const FlowSet s = random_flows(t, static_cast<int>(state.range(0)));
  std::vector<FlowModel::Update> updates;
  for (auto _ : state) {
    FlowNetwork net(t.links);
    for (std::size_t f = 0; f < s.bytes.size(); ++f) (void)net.start(Time::zero(), s.path(f), Bytes(s.bytes[f]));
    updates.clear();
    net.settle(Time::zero(), updates);
    benchmark::DoNotOptimize(updates.data());
  }
  state.counters["links"] = static_cast<double>(t.links.size());
  state.counters["hops/flow"] = static_cast<double>(s.links.size()) / static_cast<double>(s.bytes.size());
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_FlowSolveAllAtOnce)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

// Incremental update with `range(0)` flows active: one flow finishes and another starts at the same
// instant, then settle(). In the connected fabric the component is everything; with NVLink-only
// flows (range(1) = 1) each node is its own component and only ~1/256 of the flows are re-solved.
void BM_FlowChurn(benchmark::State& state) {
  const FatTree t = build_fat_tree();
  const int count = static_cast<int>(state.range(0));
  const bool intra_node = state.range(1) != 0;
  FlowSet s;
  if (intra_node) {
    XorShift rng;
    for (int f = 0; f < count; ++f) {
      const auto node = static_cast<std::size_t>(f % kNodes) * kGpusPerNode;
      const std::size_t i = rng() % kGpusPerNode;
      const std::size_t j = (i + 1 + rng() % (kGpusPerNode - 1)) % kGpusPerNode;
      s.links.push_back(t.nv_up[node + i]);
      s.links.push_back(t.nv_down[node + j]);
      s.begin.push_back(static_cast<std::uint32_t>(s.links.size()));
      s.bytes.push_back(1e6);
    }
  } else {
    s = random_flows(t, count);
  }
  FlowNetwork net(t.links);
  std::vector<FlowModel::Update> updates;
  std::vector<FlowNetwork::Handle> handles;
  for (std::size_t f = 0; f < s.bytes.size(); ++f) handles.push_back(net.start(Time::zero(), s.path(f), Bytes(s.bytes[f])));
  net.settle(Time::zero(), updates);
  Time now;
  std::size_t next = 0;
  const std::uint64_t resolved_before = net.flows_resolved();
  for (auto _ : state) {
    now += Time::ns(1);
    net.finish(now, handles[next]);
    handles[next] = net.start(now, s.path(next), Bytes(s.bytes[next]));
    updates.clear();
    net.settle(now, updates);
    next = (next + 1) % handles.size();
  }
  state.counters["flows_resolved/update"] =
      static_cast<double>(net.flows_resolved() - resolved_before) / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FlowChurn)->Args({100'000, 0})->Args({100'000, 1})->Unit(benchmark::kMillisecond);

// The whole engine on an all-to-all-like burst: `range(0)` flows of random sizes start together and run
// to completion; each completion at a distinct instant re-solves the (connected) component.
// range(1): RunOptions::flow_quantum in ns (0 = exact).
void BM_EngineFlowBurst(benchmark::State& state) {
  const FatTree t = build_fat_tree();
  const FlowSet s = random_flows(t, static_cast<int>(state.range(0)));
  TaskGraph g;
  for (std::size_t f = 0; f < s.bytes.size(); ++f) {
    (void)g.add_flow(s.path(f), Bytes(s.bytes[f]), path_latency(t.links, s.path(f)));
  }
  const RunOptions options{.record_link_bytes = true, .flow_quantum = Time::ns(state.range(1))};
  for (auto _ : state) {
    const RunResult r = run(g, t.links, options);
    benchmark::DoNotOptimize(r.makespan);
    state.counters["makespan_us"] = r.makespan.us_value();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_EngineFlowBurst)
    ->Args({1'000, 0})
    ->Args({4'000, 0})
    ->Args({16'000, 0})
    ->Args({16'000, 1'000})
    ->Args({16'000, 10'000})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace deepsim

// Benchmarks of collectives simulated on DeepSeek-V3's fabric (H800, 8-plane MPFT, radix 64): how long
// the simulator takes (wall time, one thread), with the simulated figures as counters. docs/network.md
// and docs/performance.md record the results.
#include <benchmark/benchmark.h>

#include "sim/hw/catalog.h"
#include "sim/net/collective.h"
#include "sim/net/token_routing.h"

namespace deepsim {
namespace {

ClusterSpec v3_cluster(int nodes) {
  ClusterSpec c;
  c.gpu = *find_gpu("H800");
  c.nic = *find_nic("cx7-ib-400g");
  c.nodes = nodes;
  c.topology.kind = TopologyKind::kMultiPlaneFatTree;
  return c;
}

// DeepEP normal dispatch (arg 0) or combine (arg 1), EP64 on 8 nodes, 4096 tokens per GPU, hidden 7168,
// top-8 of 256 experts in at most 4 of 8 groups (reference R24's setup). Routing sampled outside the loop.
void BM_DeepEpEp64(benchmark::State& state) {
  const bool combine = state.range(0) == 1;
  const Topology t = build_topology(v3_cluster(8));
  Rng rng(1);
  const TokenRouting routing = sample_group_limited_routing(GroupLimitedTopK{}, 64, 4096, rng);
  CollectiveSpec s;
  s.kind = combine ? CollectiveKind::kCombine : CollectiveKind::kDispatch;
  s.routing = &routing;
  s.bytes_per_token = combine ? combine_bytes_per_token(7168) : dispatch_bytes_per_token(7168);
  CollectiveResult r;
  for (auto _ : state) r = run_collective(t, s);
  state.counters["flows"] = static_cast<double>(r.flows);
  state.counters["sim_us"] = r.time.us_value();
  state.counters["rdma_GBps_per_gpu"] = r.ib_gbps_per_gpu;
  state.counters["nvl_GBps_per_gpu"] = r.nvlink_gbps_per_gpu;
  state.counters["deepep_rdma_GBps"] = r.deepep_rdma_gbps;
}
BENCHMARK(BM_DeepEpEp64)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// Uniform all-to-all of the whole 2048-GPU cluster, 1 GiB per rank. Args: routing (0 ECMP, 1 adaptive)
// and the engine's flow quantum in microseconds (0 exact). Adaptive routing balances the spine bundles,
// so the 0.54 M flows finish in a few instants; ECMP's uneven bundles spread the finishes over
// many instants, each re-solving a plane-wide component, unless a quantum groups them.
void BM_AllToAll2048(benchmark::State& state) {
  const Topology t = build_topology(v3_cluster(256));
  CollectiveSpec s;
  s.kind = CollectiveKind::kAllToAll;
  s.bytes = Bytes(1073741824.0);
  s.policy = state.range(0) == 1 ? RoutingPolicy::kAdaptive : RoutingPolicy::kEcmp;
  const Time quantum = Time::us(state.range(1));
  CollectiveResult r;
  for (auto _ : state) r = run_collective(t, s, quantum);
  state.counters["flows"] = static_cast<double>(r.flows);
  state.counters["sim_ms"] = r.time.ms_value();
  state.counters["busbw_GBps"] = r.busbw_gbps;
}
BENCHMARK(BM_AllToAll2048)->Args({1, 0})->Args({0, 10})->Args({0, 0})->Unit(benchmark::kMillisecond)->Iterations(1);

// Hierarchical all-reduce of 1 GiB over the 2048 GPUs (NVLink in the node, 8 per-plane rings of 256).
void BM_HierarchicalAllReduce2048(benchmark::State& state) {
  const Topology t = build_topology(v3_cluster(256));
  CollectiveSpec s;
  s.kind = CollectiveKind::kAllReduceHierarchical;
  s.bytes = Bytes(1073741824.0);
  CollectiveResult r;
  for (auto _ : state) r = run_collective(t, s);
  state.counters["flows"] = static_cast<double>(r.flows);
  state.counters["sim_ms"] = r.time.ms_value();
  state.counters["busbw_GBps"] = r.busbw_gbps;
}
BENCHMARK(BM_HierarchicalAllReduce2048)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace deepsim

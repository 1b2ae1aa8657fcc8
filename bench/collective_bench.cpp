// Benchmarks of collectives simulated on DeepSeek-V3's fabric (2048 H800, 8-plane MPFT, radix 64).
#include <benchmark/benchmark.h>

#include "sim/hw/catalog.h"
#include "sim/model/presets.h"
#include "sim/net/collective.h"
#include "sim/step/uniform_routing.h"

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

// DeepEP normal dispatch, EP64 on 8 nodes, 4096 tokens per GPU, hidden 7168 FP8 (reference R24 setup).
void BM_DeepEpDispatchEp64(benchmark::State& state) {
  const Fabric f = build_fabric(v3_cluster(8));
  Rng rng(1);
  const TokenRouting routing = sample_uniform_routing(*find_model_preset("deepseek-v3"), 64, 4096, rng);
  CollectiveSpec s;
  s.kind = CollectiveKind::kDispatch;
  s.routing = &routing;
  s.bytes_per_token = dispatch_bytes_per_token(7168);
  CollectiveResult r;
  for (auto _ : state) r = run_collective(f, s);
  state.counters["sim_us"] = r.time.us_value();
  state.counters["ib_GBps_per_gpu"] = r.ib_gbps_per_gpu;
  state.counters["nvl_GBps_per_gpu"] = r.nvlink_gbps_per_gpu;
  state.counters["deepep_rdma_GBps"] = r.deepep_rdma_gbps;
}
BENCHMARK(BM_DeepEpDispatchEp64)->Unit(benchmark::kMillisecond);

// Uniform all-to-all of the whole 2048-GPU cluster, 1 GiB per rank, adaptive routing.
void BM_AllToAll2048(benchmark::State& state) {
  const Fabric f = build_fabric(v3_cluster(256));
  CollectiveSpec s;
  s.kind = CollectiveKind::kAllToAll;
  s.bytes = Bytes(1073741824.0);
  s.policy = RoutingPolicy::kAdaptive;
  CollectiveResult r;
  for (auto _ : state) r = run_collective(f, s);
  state.counters["flows"] = static_cast<double>(r.flows);
  state.counters["sim_ms"] = r.time.ms_value();
  state.counters["busbw_GBps"] = r.busbw_gbps;
}
BENCHMARK(BM_AllToAll2048)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace deepsim

#include "sim/step/comm_costs.h"

#include <algorithm>
#include <memory>

#include "sim/core/format.h"
#include "sim/hw/catalog.h"
#include "sim/net/topology.h"
#include "sim/net/routing.h"
#include "sim/net/all_to_all_bound.h"
#include "sim/net/deepep_kernels.h"
#include "sim/net/token_routing.h"

namespace deepsim {
namespace {

Bandwidth nic_bw(const ClusterSpec& c) { return c.nic.line_rate * c.nic.achievable; }
Bandwidth nvlink_bw(const ClusterSpec& c) { return c.gpu.nvlink_per_direction * c.gpu.nvlink_achievable; }

struct GroupTimes {
  Time dispatch_fwd;
  Time bf16;
  Time combine_bwd;  // dispatch-shaped, FP8 (TR 3.3.3), cached layout
  AllToAllLoad unit;
};

GroupTimes group_times(const Scenario& s, const EpGroupShape& g, int group, RoutingSampleCache* cache) {
  const ModelSpec& m = s.model;
  const int tokens = s.parallel.micro_batch_size * s.training.seq_len;
  const GroupLimitedTopK shape{m.moe.routed_experts, m.moe.expert_groups, m.moe.limited_groups, m.moe.top_k};
  const auto sample = [&] {
    Rng rng = Rng(s.seed).fork("routing").fork(static_cast<std::uint64_t>(group));
    return all_to_all_load(g, sample_group_limited_routing(shape, s.parallel.ep, tokens, rng), 1.0);
  };
  GroupTimes t;
  if (cache != nullptr)
    t.unit = *cache->get({s.seed, group, s.parallel.ep, tokens, shape, g.gpus_per_node}, sample);
  else
    t.unit = sample();
  // DeepEP's normal kernels (sim/net/deepep_kernels.h): links, the comm SMs' copies, the notify kernel.
  const DeepEpKernelSpec k = deepep_kernel_spec(s.cluster, s.parallel.comm_sms);
  auto pass = [&](DeepEpKernel kernel, DeepEpPass p) { return deepep_pass_time(g, t.unit, 1.0, kernel, p, m.hidden, k).total; };
  t.dispatch_fwd = pass(DeepEpKernel::kDispatch, DeepEpPass::kForward);
  t.bf16 = pass(DeepEpKernel::kCombine, DeepEpPass::kForward);
  t.combine_bwd = pass(DeepEpKernel::kCombine, DeepEpPass::kBackward);
  return t;
}

void moe_all_to_all(const Scenario& s, int groups, RoutingSampleCache* cache, CommCosts& out) {
  const ModelSpec& m = s.model;
  const int ep = s.parallel.ep;
  if (!m.is_moe() || ep <= 1) {
    out.notes.push_back("no expert-parallel all-to-all (ep = 1 or a dense model)");
    return;
  }
  const EpGroupShape g = ep_group_shape(s);
  std::vector<GroupTimes> times;
  for (int k = 0; k < std::max(1, groups); ++k) times.push_back(group_times(s, g, k, cache));
  const GroupTimes t0 = times[0];
  const int tokens = s.parallel.micro_batch_size * s.training.seq_len;
  out.dispatch_forward = t0.dispatch_fwd;
  out.combine_forward = t0.bf16;
  out.ib_bytes_per_gpu_dispatch = t0.unit.ib_bytes * dispatch_bytes_per_token(m.hidden) / ep;
  out.nvlink_bytes_per_gpu_dispatch = t0.unit.nvlink_bytes * dispatch_bytes_per_token(m.hidden) / ep;
  std::vector<Time> d, c, cb;
  for (const auto& t : times) {
    d.push_back(t.dispatch_fwd);
    c.push_back(t.bf16);
    cb.push_back(t.combine_bwd);
  }
  out.dispatch = [d, c](int group, int, int, int, bool backward) {
    return backward ? c[static_cast<std::size_t>(group)] : d[static_cast<std::size_t>(group)];
  };
  out.combine = [c, cb](int group, int, int, int, bool backward) {
    return backward ? cb[static_cast<std::size_t>(group)] : c[static_cast<std::size_t>(group)];
  };
  out.notes.push_back("MoE all-to-all: uniform group-limited routing sample (" +
                      fixed(t0.unit.unique_token_nodes / (static_cast<double>(ep) * tokens), 3) +
                      " nodes per token), DeepEP normal kernels (bottleneck link or " + std::to_string(s.parallel.comm_sms) +
                      " comm SMs' copies, plus notify); forward dispatch " + format_time(t0.dispatch_fwd) +
                      ", BF16 combine and dispatch backward " + format_time(t0.bf16) + ", FP8 combine backward " +
                      format_time(t0.combine_bwd));
}

void pipeline_sends(const Scenario& s, const std::function<int(int, int)>& gpu_of, CommCosts& out) {
  // Routes on the real fabric (ECMP); the fabric's links are the step's links.
  auto fabric = std::make_shared<Topology>(build_topology(s.cluster));
  out.links = fabric->links;
  auto router = std::make_shared<Router>(*fabric, RoutingPolicy::kEcmp);
  out.p2p_path = [fabric, router, gpu_of](int replica, int from, int to) {
    const Route r = router->route(gpu_of(replica, from), gpu_of(replica, to));
    return Path{r.links, r.latency};
  };
  out.activation_bytes =
      Bytes(static_cast<double>(s.parallel.micro_batch_size) * s.training.seq_len * s.model.hidden * 2.0 / s.parallel.tp);
}

// Ring collective over n ranks moving `bytes` per rank through links of bandwidth bw.
Time ring(int n, double bytes, Bandwidth bw, Time latency, double factor) {
  if (n <= 1 || bytes <= 0) return Time::zero();
  return Time::from_seconds_ceil(factor * (n - 1.0) / n * bytes / bw.bytes_per_s()) + latency * (2 * (n - 1));
}

void data_parallel(const Scenario& s, const KernelModel& model, const StaticAnalysis& a, int ranks, CommCosts& out) {
  const ParallelSpec& p = s.parallel;
  const int g = s.cluster.gpus_per_node;
  const int dense_n = p.dp;
  const int expert_n = p.dp * p.tp / p.ep;
  // A DP group spans nodes when its members (stride tp within the stage) do not fit in one node.
  const bool dense_spans = dense_n * p.tp > g;
  const bool expert_spans = expert_n * p.ep > g;  // same expert = same position in each EP group: ep apart
  const Bandwidth nic = nic_bw(s.cluster), nvl = nvlink_bw(s.cluster);
  const Time lat_ib = s.cluster.nic.latency_cross_leaf, lat_nvl = nvlink_hop_latency();
  const bool fp8 = s.training.precision == "fp8";
  for (int r = 0; r < ranks; ++r) {
    const auto& st = a.memory.stages[static_cast<std::size_t>(std::min<std::size_t>(static_cast<std::size_t>(r), a.memory.stages.size() - 1))];
    const double dense = static_cast<double>(st.dense_params), expert = static_cast<double>(st.expert_params);
    auto sync = [&](int n, double params, bool spans) {
      const Bandwidth bw = spans ? nic : nvl;
      const Time lat = spans ? lat_ib : lat_nvl;
      if (p.zero_stage == 0) return ring(n, params * 4.0, bw, lat, 2.0);  // all-reduce of FP32 gradients
      return ring(n, params * 4.0, bw, lat, 1.0) + ring(n, params * 2.0, bw, lat, 1.0);
    };
    out.dp_sync.push_back(sync(dense_n, dense, dense_spans) + sync(expert_n, expert, expert_spans));
    // AdamW on the shard: master r+w (8 B), gradient r (4 B), moments r+w (BF16: 8 B, FP32: 16 B), BF16 weight w (2 B).
    const double shard = p.zero_stage >= 1 ? dense / dense_n + expert / std::max(1, expert_n) : dense + expert;
    const double bytes = shard * (fp8 ? 22.0 : 30.0);
    out.optimizer.push_back(model.time(OpWork{OpFamily::kMemoryBound, Flops(0), Bytes(bytes), 0, 0, 0, 1}, s.cluster.gpu.sms));
  }
  out.notes.push_back("ZeRO-1 DP sync: ring reduce-scatter (FP32 grads) + all-gather (BF16 params) over " +
                      std::to_string(dense_n) + " ranks (dense) and " + std::to_string(expert_n) +
                      " ranks (experts), not overlapped with the last backward");
}

}  // namespace

EpGroupShape ep_group_shape(const Scenario& s) {
  EpGroupShape g;
  g.gpus = s.parallel.ep;
  g.gpus_per_node = s.cluster.gpus_per_node;
  g.nic = nic_bw(s.cluster);
  g.nvlink = nvlink_bw(s.cluster);
  g.latency = (s.parallel.ep > s.cluster.gpus_per_node ? s.cluster.nic.latency_cross_leaf : Time::zero()) +
              nvlink_hop_latency();
  return g;
}

CommCosts comm_costs(const Scenario& s, const KernelModel& model, const StaticAnalysis& analysis, int ranks,
                     const std::function<int(int, int)>& gpu_of, int groups, RoutingSampleCache* routing_cache) {
  CommCosts out;
  moe_all_to_all(s, groups, routing_cache, out);
  pipeline_sends(s, gpu_of, out);
  data_parallel(s, model, analysis, ranks, out);
  return out;
}

}  // namespace deepsim

// CommCosts: the communication of one step reduced to what the step graph needs.
//  - MoE dispatch / combine of an EP group: DeepEP's normal kernels (sim/net/deepep_kernels.h: the
//    all-to-all bottleneck link of all_to_all_bound.h or the comm SMs' copies, plus the notify kernel)
//    on a routing sample (sim/net/token_routing.h): forward dispatch FP8 + scales, forward combine BF16,
//    backward of dispatch BF16, backward of combine FP8 (TR 3.3.3).
//  - Pipeline sends: flows routed on the cluster's fabric (sim/net, ECMP): pipeline neighbours are on
//    different nodes with the same local index, so in the same plane.
//  - ZeRO-1 DP sync: ring reduce-scatter of FP32 gradients and all-gather of BF16 parameters over the
//    DP group (dense parameters: dp ranks; routed experts: dp x tp / ep ranks), at NIC bandwidth when
//    the group spans nodes (one ring per plane, as NCCL does on rail-optimised fabrics), NVLink inside:
//        t = (n-1)/n x bytes / bw + 2 (n-1) x latency   per collective.
//    ZeRO-0 all-reduces the gradients instead: 2 (n-1)/n x bytes / bw.
//  - Optimizer: AdamW reads and writes its shard's master weights, moments and gradients (memory-bound).
#pragma once

#include <string>
#include <vector>

#include "sim/model/stage_assignment.h"
#include "sim/net/all_to_all_bound.h"
#include "sim/net/link.h"
#include "sim/parallel/placement.h"
#include "sim/perf/kernel_model.h"
#include "sim/scenario/scenario.h"
#include "sim/step/routing_sample_cache.h"
#include "sim/step/static_analysis.h"
#include "sim/step/step_inputs.h"

namespace deepsim {

struct CommCosts {
  AllToAllTime dispatch;
  AllToAllTime combine;
  Bytes activation_bytes;
  std::function<Path(int replica, int from_rank, int to_rank)> p2p_path;
  std::vector<Time> dp_sync;
  std::vector<Time> optimizer;
  LinkTable links;
  std::vector<std::string> notes;
  // Figures for reports: one forward dispatch and combine of the representative EP group.
  Time dispatch_forward;
  Time combine_forward;
  double ib_bytes_per_gpu_dispatch = 0;
  double nvlink_bytes_per_gpu_dispatch = 0;
};

// The EP group of a scenario as the all-to-all model sees it (achievable NIC and NVLink, latency).
[[nodiscard]] EpGroupShape ep_group_shape(const Scenario& s);

// `gpu_of(replica, rank)` places pipeline ranks for routing their sends on the fabric; `groups` EP groups per
// stage get their own routing sample, drawn once per key when `routing_cache` (not owned) is given.
[[nodiscard]] CommCosts comm_costs(const Scenario& s, const KernelModel& model, const StaticAnalysis& analysis,
                                   int ranks, const std::function<int(int, int)>& gpu_of, int groups,
                                   RoutingSampleCache* routing_cache = nullptr);

}  // namespace deepsim

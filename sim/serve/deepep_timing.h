// DeepEP dispatch and combine times for serving (docs/serving.md, "Dispatch and combine"), behind one
// function per mode so the prefill and decode units never compute communication time themselves.
// The pure-RDMA low-latency time is sim/net/deepep_kernels.h's (the model net-bench uses); what is
// serving's own is the NVLink-domain split of the low-latency kernels (GB200 NVL72) and the normal
// kernels' closed form with per-node deduplication (sim/net's normal-kernel model needs the routed
// per-link load and the step's SM budget, which one representative prefill GPU does not have).
//
// Low-latency kernels (decode): every token's hidden state goes to each of its top-k experts'
// GPUs as its own message (no node deduplication), FP8 with one FP32 scale per 128 channels plus a
// 16-byte header out, BF16 back (reference R25's byte formula):
//   dispatch bytes = tokens x top_k x (hidden + hidden/128 x 4 + 16),  combine = tokens x top_k x hidden x 2
// A 1/ep share lands on the sender's own GPU and never crosses a link. The rest crosses the NIC (pure
// RDMA, DeepEP Feb 2025), or NVLink for peers inside the NVLink domain when `use_nvlink`:
//   t = latency + max(remote bytes / (NIC line x achievable), domain bytes / (NVLink x achievable))
// The kernels hold no SMs: the GPU computes the other micro-batch meanwhile.
//
// Normal kernels (prefill): tokens are deduplicated per destination node and forwarded inside the node
// over NVLink (DeepEP's asymmetric-domain kernels, R24), so the NIC carries tokens x E[remote nodes a
// token reaches] x (hidden + scales) out, and BF16 back; the NVLink forwarding is taken as hidden.
#pragma once

#include "sim/core/time.h"
#include "sim/hw/gpu_spec.h"

namespace deepsim {

struct EpCommInput {
  double tokens = 0;        // tokens this GPU sends (one micro-batch)
  int hidden = 0;
  int top_k = 0;
  int ep = 1;               // GPUs in the expert-parallel group
  int gpus_per_node = 8;
  int nvlink_domain = 8;    // GPUs one NVLink domain joins
  bool use_nvlink = false;  // low-latency kernels: NVLink inside the domain
  // Normal kernels only: group-limited routing (V3: 8 groups, 4 per token).
  int expert_groups = 1;
  int limited_groups = 1;
  Bandwidth nic;            // NIC line rate per direction
  double nic_achievable = 0;
  Bandwidth nvlink;         // NVLink per direction
  double nvlink_achievable = 0;
  Time latency;             // fixed cost of one dispatch or combine (NIC cross-leaf latency)
};

struct EpCommTime {
  Time dispatch;
  Time combine;
  Bytes dispatch_bytes;  // leaving the GPU (all destinations, own GPU included)
  Bytes combine_bytes;
  [[nodiscard]] Time total() const { return dispatch + combine; }
};

[[nodiscard]] EpCommTime deepep_low_latency_time(const EpCommInput& in);
[[nodiscard]] EpCommTime deepep_normal_time(const EpCommInput& in);

// Expected number of distinct nodes a token reaches when it picks `limited` of `groups` expert groups
// uniformly and the EP group spans `nodes` nodes holding groups/nodes groups each (a node is missed when
// none of its groups is picked): nodes x (1 - C(groups - g, limited) / C(groups, limited)), g = groups/nodes.
[[nodiscard]] double expected_nodes_reached(int groups, int limited, int nodes);

}  // namespace deepsim

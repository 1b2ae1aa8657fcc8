// DeepEP's kernels as the step sees them: the time of one dispatch or combine from the bytes each link
// and each GPU's copy engines (its SMs) must move, plus the notify kernel before it. Two modes:
//
// Normal kernels (training and prefill; reference R24). Warp-specialised SMs move every byte: the IB
// sender stages a token into the RDMA buffer, the forwarder copies it from the RDMA receive buffer to the
// NVLink peers, the NVLink receiver copies it into the output (TR 3.2.2). So besides the links
// (all_to_all_bound.h) the kernel is bounded by its SMs' copy rate:
//     t = notify + latency + max( max over links bytes / capacity,  max over GPUs copies(GPU) / (sms x r_sm) )
//     copies(GPU) = nic_out + nic_in + nvlink_out + nvlink_in   (one SM copy per byte through each port)
//     r_sm = HBM bandwidth / (2 x the GPU's SMs)                 (a copy reads and writes; each SM's share)
// For H800, r_sm = 3.35 TB/s / 264 = 12.7 GB/s, so the 20 SMs DeepSeek gives the kernels copy 254 GB/s:
// just above the ~238 GB/s an EP64 dispatch needs at NIC speed, which is what TR 3.2.2 says ("20 SMs
// suffice to fully utilise IB and NVLink"); with fewer SMs the kernel is SM-bound.
//     notify = forward dispatch: 2 x (IB + NVLink latency)  (notify_dispatch: an all-to-all of the
//              per-rank token counts over RDMA and NVLink, then the barrier before the buffers are reused)
//              every other pass: 1 x (IB + NVLink latency)  (the cached-notify barrier only: combine and
//              both backward passes reuse the forward dispatch's layout handle)
// Forward dispatch carries FP8 + scales, forward combine BF16; the backward of dispatch is a combine-shaped
// BF16 reduction, and the backward of combine is a dispatch-shaped transfer that DeepSeek-V3 also sends in
// FP8 (TR 3.3.3: the activation gradient before the MoE down-projection is quantised like the dispatch
// input). `deepep_bytes_per_token` gives the four.
//
// Low-latency kernels (decode; R25, the February 2025 pure-RDMA version). No SMs are held while the data
// moves (the receive hook), nothing is de-duplicated per node or forwarded over NVLink: each (token,
// expert) selection is its own RDMA message to the expert's GPU, so per GPU
//     t = latency + (1 - 1/EP) x tokens x top_k x bytes_per_message / NIC
// with dispatch messages of hidden FP8 + scales + 16 B of metadata (7408 B for hidden 7168) and combine
// messages of BF16 (14,336 B); the 1/EP whose expert is on the own GPU crosses no NIC.
#pragma once

#include "sim/core/time.h"
#include "sim/core/units.h"
#include "sim/hw/cluster_spec.h"
#include "sim/net/all_to_all_bound.h"

namespace deepsim {

enum class DeepEpKernel { kDispatch, kCombine };
enum class DeepEpPass { kForward, kBackward };

struct DeepEpKernelSpec {
  int comm_sms = 20;        // SMs the kernels hold; 0: the SM limit is not modelled
  int gpu_sms = 132;
  Bandwidth hbm;            // the GPU's HBM bandwidth
  Time ib_latency;          // one RDMA traversal (NIC to NIC, cross leaf)
  Time nvlink_latency;      // one NVLink traversal
  [[nodiscard]] Bandwidth copy_rate_per_sm() const;
};

// The cluster's figures: its GPU's SMs and HBM, the NIC's cross-leaf latency, the NVLink hop latency.
[[nodiscard]] DeepEpKernelSpec deepep_kernel_spec(const ClusterSpec& c, int comm_sms);

struct DeepEpKernelTime {
  Time notify;
  Time links;               // the bottleneck link's time, latency included (all_to_all_time)
  Time sm_copies;           // latency + the busiest GPU's copies / (comm_sms x r_sm); zero without the limit
  Time total;               // notify + max(links, sm_copies)
  [[nodiscard]] bool sm_bound() const { return sm_copies > links; }
};

// Bytes per token copy of a pass: forward dispatch and backward combine FP8 + scales, the other two BF16.
[[nodiscard]] double deepep_bytes_per_token(DeepEpKernel k, DeepEpPass pass, int hidden);
// The wire direction of a pass: dispatch-shaped (tokens to experts) or combine-shaped (back).
[[nodiscard]] DeepEpKernel deepep_direction(DeepEpKernel k, DeepEpPass pass);

[[nodiscard]] Time deepep_notify_time(DeepEpKernel k, DeepEpPass pass, const DeepEpKernelSpec& spec);
// The comm SMs' time for `busiest` bytes of copies on one GPU: latency + busiest / (comm_sms x r_sm);
// zero when the SM limit is not modelled (comm_sms 0).
[[nodiscard]] Time deepep_sm_copy_time(double busiest, Time latency, const DeepEpKernelSpec& spec);
// `load` is the routing's per-link bytes already scaled to this pass's bytes per token (all_to_all_load
// with 1 B per token, times deepep_bytes_per_token); the busiest link and the busiest GPU's copies are
// the same for either wire direction (combine swaps each GPU's in and out).
[[nodiscard]] DeepEpKernelTime deepep_normal_time(const EpGroupShape& g, const AllToAllLoad& load, DeepEpKernel k,
                                                 DeepEpPass pass, const DeepEpKernelSpec& spec);
// The whole pass from a unit load (all_to_all_load with 1 B per token copy): scales it by
// deepep_bytes_per_token(k, pass, hidden) and times it.
[[nodiscard]] DeepEpKernelTime deepep_pass_time(const EpGroupShape& g, const AllToAllLoad& unit, double token_scale,
                                               DeepEpKernel k, DeepEpPass pass, int hidden, const DeepEpKernelSpec& spec);

// Low-latency mode (R25, pure RDMA).
[[nodiscard]] constexpr double deepep_low_latency_dispatch_bytes(int hidden) { return hidden + hidden / 128.0 * 4.0 + 16.0; }
[[nodiscard]] constexpr double deepep_low_latency_combine_bytes(int hidden) { return hidden * 2.0; }
[[nodiscard]] Time deepep_low_latency_time(int ep, int tokens, int top_k, double bytes_per_message, Bandwidth nic,
                                           Time latency);

}  // namespace deepsim

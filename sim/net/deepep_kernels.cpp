#include "sim/net/deepep_kernels.h"

#include <algorithm>

#include "sim/core/error.h"
#include "sim/hw/catalog.h"

namespace deepsim {

Bandwidth DeepEpKernelSpec::copy_rate_per_sm() const {
  // A copy reads and writes every byte, and an SM's share of HBM is 1 / gpu_sms of it.
  return gpu_sms > 0 ? hbm / (2.0 * gpu_sms) : Bandwidth();
}

DeepEpKernelSpec deepep_kernel_spec(const ClusterSpec& c, int comm_sms) {
  DeepEpKernelSpec k;
  k.comm_sms = comm_sms;
  k.gpu_sms = c.gpu.sms;
  k.hbm = c.gpu.hbm_bandwidth;
  k.ib_latency = c.nic.latency_cross_leaf;
  k.nvlink_latency = nvlink_hop_latency();
  return k;
}

DeepEpKernel deepep_direction(DeepEpKernel k, DeepEpPass pass) {
  if (pass == DeepEpPass::kForward) return k;
  return k == DeepEpKernel::kDispatch ? DeepEpKernel::kCombine : DeepEpKernel::kDispatch;
}

double deepep_bytes_per_token(DeepEpKernel k, DeepEpPass pass, int hidden) {
  // Dispatch-shaped passes (forward dispatch, backward combine) are FP8 (TR 3.3.3); combine-shaped ones
  // (forward combine, backward dispatch: a reduction of gradients) BF16.
  return deepep_direction(k, pass) == DeepEpKernel::kDispatch ? dispatch_bytes_per_token(hidden)
                                                               : combine_bytes_per_token(hidden);
}

Time deepep_notify_time(DeepEpKernel k, DeepEpPass pass, const DeepEpKernelSpec& spec) {
  const Time one = spec.ib_latency + spec.nvlink_latency;
  return k == DeepEpKernel::kDispatch && pass == DeepEpPass::kForward ? one * 2 : one;
}

Time deepep_sm_copy_time(double busiest, Time latency, const DeepEpKernelSpec& k) {
  const double rate = k.copy_rate_per_sm().bytes_per_s() * k.comm_sms;
  if (k.comm_sms <= 0 || !(rate > 0)) return Time::zero();
  return latency + Time::from_seconds_ceil(busiest / rate);
}

DeepEpKernelTime deepep_normal_time(const EpGroupShape& g, const AllToAllLoad& load, DeepEpKernel kernel,
                                    DeepEpPass pass, const DeepEpKernelSpec& k) {
  DeepEpKernelTime t;
  t.notify = deepep_notify_time(kernel, pass, k);
  t.links = all_to_all_time(g, load);
  double busiest = 0;
  for (std::size_t i = 0; i < load.nic_out.size(); ++i)
    busiest = std::max(busiest, load.nic_out[i] + load.nic_in[i] + load.nvlink_out[i] + load.nvlink_in[i]);
  t.sm_copies = deepep_sm_copy_time(busiest, g.latency, k);
  t.total = t.notify + std::max(t.links, t.sm_copies);
  return t;
}

DeepEpKernelTime deepep_pass_time(const EpGroupShape& g, const AllToAllLoad& unit, double token_scale, DeepEpKernel k,
                                  DeepEpPass pass, int hidden, const DeepEpKernelSpec& spec) {
  AllToAllLoad l = unit;
  const double f = deepep_bytes_per_token(k, pass, hidden) * token_scale;
  for (auto* v : {&l.nic_out, &l.nic_in, &l.nvlink_out, &l.nvlink_in})
    for (double& x : *v) x *= f;
  l.ib_bytes *= f;
  l.nvlink_bytes *= f;
  return deepep_normal_time(g, l, k, pass, spec);
}

Time deepep_low_latency_time(int ep, int tokens, int top_k, double bytes_per_message, Bandwidth nic, Time latency) {
  DEEPSIM_ASSERT(ep >= 1 && tokens >= 0 && top_k >= 0 && nic.bytes_per_s() > 0, "a low-latency kernel needs a NIC");
  const double remote = 1.0 - 1.0 / ep;
  return latency + Time::from_seconds_ceil(remote * tokens * top_k * bytes_per_message / nic.bytes_per_s());
}

}  // namespace deepsim

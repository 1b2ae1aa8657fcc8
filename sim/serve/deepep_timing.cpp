#include "sim/serve/deepep_timing.h"

#include <algorithm>
#include <cmath>

#include "sim/core/error.h"
#include "sim/net/deepep_kernels.h"

namespace deepsim {
namespace {

constexpr double kFp8ScaleBytesPer128 = 4;  // one FP32 scale per 128 channels
constexpr double kBf16Bytes = 2;

double binomial(int n, int k) {
  if (k < 0 || k > n) return 0;
  double r = 1;
  for (int i = 1; i <= k; ++i) r = r * (n - k + i) / i;
  return r;
}

Time transfer(double bytes, Bandwidth line, double achievable) {
  if (bytes <= 0) return Time::zero();
  DEEPSIM_ASSERT(line.bytes_per_s() > 0 && achievable > 0, "a link with bandwidth");
  return Time::from_seconds_ceil(bytes / (line.bytes_per_s() * achievable));
}

// Time of `bytes` leaving one GPU spread evenly over the ep GPUs: the own share stays, peers inside the
// NVLink domain (when used) go over NVLink, the rest over the NIC; the two paths run in parallel.
Time spread(double bytes, const EpCommInput& in) {
  const double ep = in.ep;
  const double domain_peers = in.use_nvlink ? std::min(in.ep, in.nvlink_domain) - 1.0 : 0.0;
  const double remote_peers = ep - 1.0 - domain_peers;
  const Time nic = transfer(bytes * remote_peers / ep, in.nic, in.nic_achievable);
  const Time nvl = transfer(bytes * domain_peers / ep, in.nvlink, in.nvlink_achievable);
  return in.latency + std::max(nic, nvl);
}

}  // namespace

double expected_nodes_reached(int groups, int limited, int nodes) {
  DEEPSIM_ASSERT(nodes >= 1 && groups >= 1 && limited >= 1 && limited <= groups, "group-limited routing shape");
  if (nodes == 1) return 1;
  const int per_node = std::max(1, groups / nodes);
  const double miss = binomial(groups - per_node, limited) / binomial(groups, limited);
  return nodes * (1.0 - miss);
}

EpCommTime deepep_low_latency_time(const EpCommInput& in) {
  DEEPSIM_ASSERT(in.ep >= 1 && in.hidden > 0 && in.top_k > 0, "low-latency dispatch shape");
  const double copies = in.tokens * in.top_k;
  const double dispatch_message = deepep_low_latency_dispatch_bytes(in.hidden);
  const double combine_message = deepep_low_latency_combine_bytes(in.hidden);
  EpCommTime t;
  t.dispatch_bytes = Bytes(copies * dispatch_message);
  t.combine_bytes = Bytes(copies * combine_message);
  if (in.ep == 1 || in.tokens <= 0) return t;
  if (!in.use_nvlink) {
    // Pure RDMA (R25's kernels): sim/net's low-latency model, the one net-bench uses, at the NIC's
    // achievable rate.
    const auto tokens = static_cast<int>(in.tokens);
    DEEPSIM_ASSERT(tokens == in.tokens, "low-latency kernels send whole tokens");
    const Bandwidth nic = in.nic * in.nic_achievable;
    t.dispatch = deepep_low_latency_time(in.ep, tokens, in.top_k, dispatch_message, nic, in.latency);
    t.combine = deepep_low_latency_time(in.ep, tokens, in.top_k, combine_message, nic, in.latency);
    return t;
  }
  t.dispatch = spread(t.dispatch_bytes.value(), in);
  t.combine = spread(t.combine_bytes.value(), in);
  return t;
}

EpCommTime deepep_normal_time(const EpCommInput& in) {
  DEEPSIM_ASSERT(in.ep >= 1 && in.hidden > 0 && in.top_k > 0, "normal dispatch shape");
  const int nodes = std::max(1, (in.ep + in.gpus_per_node - 1) / in.gpus_per_node);
  const double h = in.hidden;
  const double reached = in.ep <= in.gpus_per_node ? 1.0 : expected_nodes_reached(in.expert_groups, in.limited_groups, nodes);
  // The own node is reached with probability reached / nodes (nodes are symmetric); its share stays on NVLink.
  const double remote = reached * (1.0 - 1.0 / nodes);
  EpCommTime t;
  t.dispatch_bytes = Bytes(in.tokens * reached * (h + h / 128 * kFp8ScaleBytesPer128));
  t.combine_bytes = Bytes(in.tokens * reached * h * kBf16Bytes);
  if (in.tokens <= 0 || in.ep == 1) return t;
  if (nodes == 1 || in.ep <= in.nvlink_domain) {
    // One NVLink domain: each token's top_k copies go over NVLink, deduplicated per GPU at best; take the
    // top_k x (ep - 1)/ep copies as the bound.
    const double share = in.top_k * (in.ep - 1.0) / in.ep;
    t.dispatch = in.latency + transfer(in.tokens * share * (h + h / 128 * kFp8ScaleBytesPer128), in.nvlink, in.nvlink_achievable);
    t.combine = in.latency + transfer(in.tokens * share * h * kBf16Bytes, in.nvlink, in.nvlink_achievable);
    return t;
  }
  t.dispatch = in.latency + transfer(in.tokens * remote * (h + h / 128 * kFp8ScaleBytesPer128), in.nic, in.nic_achievable);
  t.combine = in.latency + transfer(in.tokens * remote * h * kBf16Bytes, in.nic, in.nic_achievable);
  return t;
}

}  // namespace deepsim

#include "sim/net/comm_closed_forms.h"

namespace deepsim {

Time collective_step_time(CommKind /*kind*/, Bytes chunk, Bandwidth beta, Time alpha) {
  if (chunk.value() <= 0.0) return alpha;
  return alpha + Time::from_seconds_ceil(chunk.value() / beta.bytes_per_s());
}

Time send_recv_time(Bytes s, Bandwidth beta, Time alpha) { return collective_step_time(CommKind::kSendRecv, s, beta, alpha); }

Time ring_reduce_scatter_time(int n, Bytes s, Bandwidth beta, Time alpha) {
  if (n <= 1) return Time::zero();
  return (n - 1) * collective_step_time(CommKind::kReduceScatter, Bytes(s.value() / n), beta, alpha);
}

Time ring_all_gather_time(int n, Bytes s, Bandwidth beta, Time alpha) {
  if (n <= 1) return Time::zero();
  return (n - 1) * collective_step_time(CommKind::kAllGather, Bytes(s.value() / n), beta, alpha);
}

Time ring_all_reduce_time(int n, Bytes s, Bandwidth beta, Time alpha) {
  if (n <= 1) return Time::zero();
  return (2 * (n - 1)) * collective_step_time(CommKind::kAllReduce, Bytes(s.value() / n), beta, alpha);
}

namespace {
Time intra(CommKind k, Bytes s, const HierarchicalLinks& h) {
  if (h.per_node <= 1) return Time::zero();
  return (h.per_node - 1) * collective_step_time(k, Bytes(s.value() / h.per_node), h.beta_intra, h.alpha_intra);
}
Time inter(CommKind k, Bytes s, const HierarchicalLinks& h, int passes) {
  if (h.nodes <= 1) return Time::zero();
  const Bytes chunk(s.value() / h.per_node / h.nodes);
  return (passes * (h.nodes - 1)) * collective_step_time(k, chunk, h.beta_inter, h.alpha_inter);
}
}  // namespace

Time hierarchical_reduce_scatter_time(Bytes s, const HierarchicalLinks& h) {
  return intra(CommKind::kReduceScatter, s, h) + inter(CommKind::kReduceScatter, s, h, 1);
}

Time hierarchical_all_gather_time(Bytes s, const HierarchicalLinks& h) {
  return inter(CommKind::kAllGather, s, h, 1) + intra(CommKind::kAllGather, s, h);
}

Time hierarchical_all_reduce_time(Bytes s, const HierarchicalLinks& h) {
  return intra(CommKind::kAllReduce, s, h) + inter(CommKind::kAllReduce, s, h, 2) + intra(CommKind::kAllReduce, s, h);
}

Time bottleneck_all_to_all_time(Bytes s, double seconds_per_byte, Time alpha) {
  return alpha + Time::from_seconds_ceil(s.value() * seconds_per_byte);
}

}  // namespace deepsim

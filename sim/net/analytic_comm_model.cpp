#include "sim/net/analytic_comm_model.h"

namespace deepsim {

namespace {

// The alpha-beta closed form of the shape; `latency` false: its bandwidth part alone (t_bw).
Time alpha_beta_time(CommKind kind, const CommShape& s, Bytes bytes, bool latency) {
  const Time alpha = latency ? s.alpha : Time::zero();
  switch (s.algorithm) {
    case CommAlgorithm::kNone: return Time::zero();
    case CommAlgorithm::kSendRecv: return s.phases.empty() ? Time::zero() : send_recv_time(bytes, s.beta, alpha);
    case CommAlgorithm::kRing:
      if (kind == CommKind::kAllReduce) return ring_all_reduce_time(s.ranks, bytes, s.beta, alpha);
      if (kind == CommKind::kReduceScatter) return ring_reduce_scatter_time(s.ranks, bytes, s.beta, alpha);
      return ring_all_gather_time(s.ranks, bytes, s.beta, alpha);
    case CommAlgorithm::kHierarchical: {
      HierarchicalLinks h = s.hierarchical;
      if (!latency) h.alpha_intra = h.alpha_inter = Time::zero();
      if (kind == CommKind::kAllReduce) return hierarchical_all_reduce_time(bytes, h);
      if (kind == CommKind::kReduceScatter) return hierarchical_reduce_scatter_time(bytes, h);
      return hierarchical_all_gather_time(bytes, h);
    }
    case CommAlgorithm::kStreams:
      return s.phases.empty() ? Time::zero() : bottleneck_all_to_all_time(bytes, s.seconds_per_byte, alpha);
  }
  return Time::zero();
}

}  // namespace

Time protocol_scaled(Time bandwidth, double efficiency) {
  return efficiency == 1.0 ? bandwidth : Time::from_seconds_ceil(bandwidth.seconds() / efficiency);
}

ProtocolPick pick_protocol(CommKind kind, const CommShape& s, Bytes bytes) {
  ProtocolPick best;
  if (s.protocols.empty()) {
    best.time = alpha_beta_time(kind, s, bytes, true);
    return best;
  }
  const Time t_bw = alpha_beta_time(kind, s, bytes, false);
  for (const ProtocolFloor& f : s.protocols) {
    const Time t = f.latency + protocol_scaled(t_bw, f.efficiency);
    if (best.floor == nullptr || t < best.time) {
      best.floor = &f;
      best.time = t;
    }
  }
  return best;
}

Time closed_form_time(CommKind kind, const CommShape& s, Bytes bytes) { return pick_protocol(kind, s, bytes).time; }

Time AnalyticCommModel::time(const CommOp& op, std::span<const std::int32_t> members) {
  const CommShape& s = planner_.shape(op, members);
  return with_kernel_floor(op, s, closed_form_time(op.kind, s, op.bytes));
}

Time AnalyticCommModel::with_kernel_floor(const CommOp& op, const CommShape& s, Time links) const {
  if (s.deepep != DeepEpKernels::kNormal) return links;
  const DeepEpFloor f = planner_.deepep_floor(op, s);
  return f.notify + max(links, f.sm_copies);
}

void AnalyticCommModel::plan(const CommOp& op, std::span<const std::int32_t> members, Plan& out) {
  const CommShape& s = planner_.shape(op, members);
  const ProtocolPick pick = pick_protocol(op.kind, s, op.bytes);
  out.duration = with_kernel_floor(op, s, pick.time);
  // The links carry the protocol's wire bytes (LL's flags, LL128's 8 of 128), as in the flow model.
  const double wire = op.bytes.value() / pick.efficiency();
  out.link_share = s.link_share;  // the planner's cache holds it while the model lives
  out.share_bytes = Bytes(wire);
  auto [it, fresh] = index_.try_emplace(&s, moved_.size());
  if (fresh) moved_.emplace_back(&s, 0.0);
  moved_[it->second].second += wire;
}

std::vector<double> AnalyticCommModel::link_bytes() const {
  std::vector<double> out(planner_.topology().links.size(), 0.0);
  for (const auto& [shape, bytes] : moved_)
    for (const auto& [l, share] : shape->link_share) out[l.value()] += share * bytes;
  return out;
}

std::vector<Time> AnalyticCommModel::link_busy() const {
  const std::vector<double> bytes = link_bytes();
  std::vector<Time> out(bytes.size());
  const LinkTable& links = planner_.topology().links;
  for (std::size_t l = 0; l < bytes.size(); ++l)
    if (bytes[l] > 0) out[l] = Time::from_seconds_ceil(bytes[l] / links[LinkId(static_cast<LinkId::rep>(l))].capacity.bytes_per_s());
  return out;
}

}  // namespace deepsim

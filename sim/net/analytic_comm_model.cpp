#include "sim/net/analytic_comm_model.h"

namespace deepsim {

Time closed_form_time(CommKind kind, const CommShape& s, Bytes bytes) {
  switch (s.algorithm) {
    case CommAlgorithm::kNone: return Time::zero();
    case CommAlgorithm::kSendRecv: return s.phases.empty() ? Time::zero() : send_recv_time(bytes, s.beta, s.alpha);
    case CommAlgorithm::kRing:
      if (kind == CommKind::kAllReduce) return ring_all_reduce_time(s.ranks, bytes, s.beta, s.alpha);
      if (kind == CommKind::kReduceScatter) return ring_reduce_scatter_time(s.ranks, bytes, s.beta, s.alpha);
      return ring_all_gather_time(s.ranks, bytes, s.beta, s.alpha);
    case CommAlgorithm::kHierarchical:
      if (kind == CommKind::kAllReduce) return hierarchical_all_reduce_time(bytes, s.hierarchical);
      if (kind == CommKind::kReduceScatter) return hierarchical_reduce_scatter_time(bytes, s.hierarchical);
      return hierarchical_all_gather_time(bytes, s.hierarchical);
    case CommAlgorithm::kStreams:
      return s.phases.empty() ? Time::zero() : bottleneck_all_to_all_time(bytes, s.seconds_per_byte, s.alpha);
  }
  return Time::zero();
}

Time AnalyticCommModel::time(const CommOp& op, std::span<const std::int32_t> members) {
  return closed_form_time(op.kind, planner_.shape(op, members), op.bytes);
}

void AnalyticCommModel::plan(const CommOp& op, std::span<const std::int32_t> members, Plan& out) {
  const CommShape& s = planner_.shape(op, members);
  out.duration = closed_form_time(op.kind, s, op.bytes);
  out.link_share = s.link_share;  // the planner's cache holds it while the model lives
  out.share_bytes = op.bytes;
  auto [it, fresh] = index_.try_emplace(&s, moved_.size());
  if (fresh) moved_.emplace_back(&s, 0.0);
  moved_[it->second].second += op.bytes.value();
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

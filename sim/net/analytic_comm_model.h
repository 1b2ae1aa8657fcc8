// AnalyticCommModel: the fast default (`simulation.network: analytic`). Every comm op takes the closed
// form of its algorithm (comm_closed_forms.h) with the bandwidth and latency of its group's links on the
// fabric (collective_plan.h picks the algorithm and reads beta and alpha off the routed paths). Its link
// use is what the algorithm moves over each link; a link's busy time is its bytes over its capacity.
// Over time (Plan::link_share, for traces) an op's bytes on a link are spread evenly over its duration.
// With NCCL's protocol floor (collective_plan.h), an NCCL collective takes the fastest of its protocols:
// latency_p + t_bw / efficiency_p, t_bw the closed form without the paths' latencies. DeepEP's normal
// dispatch and combine take notify + max(bottleneck links, the comm SMs' copies) (collective_plan.h).
// Ignored: contention between ops running at the same time (each is priced as if alone), and the
// ramp-down tail of an all-to-all whose busiest link is not busy throughout.
#pragma once

#include <vector>

#include "sim/engine/comm_model.h"
#include "sim/net/collective_plan.h"

namespace deepsim {

class AnalyticCommModel final : public CommModel {
 public:
  explicit AnalyticCommModel(CollectivePlanner& planner) : planner_(planner) {}

  void plan(const CommOp& op, std::span<const std::int32_t> members, Plan& out) override;
  [[nodiscard]] std::vector<double> link_bytes() const override;
  [[nodiscard]] std::vector<Time> link_busy() const override;

  // The closed-form time of `op` over `members` (what plan() returns).
  [[nodiscard]] Time time(const CommOp& op, std::span<const std::int32_t> members);

 private:
  // DeepEP's normal kernels (collective_plan.h DeepEpFloor): notify + max(links, SM copies).
  [[nodiscard]] Time with_kernel_floor(const CommOp& op, const CommShape& s, Time links) const;

  CollectivePlanner& planner_;
  std::vector<std::pair<const CommShape*, double>> moved_;  // shapes timed, with the sum of their S
  std::unordered_map<const CommShape*, std::size_t> index_;
};

// The closed form of a planned shape for S = `bytes`: the protocol pick's time where the shape has
// protocols, else the alpha-beta closed form.
[[nodiscard]] Time closed_form_time(CommKind kind, const CommShape& shape, Bytes bytes);

// NCCL's choice for the op: the fastest of the shape's protocols (ties: the first, LL before LL128
// before Simple); `floor` null where the shape has none (time: the alpha-beta closed form).
struct ProtocolPick {
  const ProtocolFloor* floor = nullptr;  // into the shape
  Time time;
  // The share of the link the protocol gets: the op's wire bytes are its bytes / efficiency.
  [[nodiscard]] double efficiency() const { return floor != nullptr ? floor->efficiency : 1.0; }
};
[[nodiscard]] ProtocolPick pick_protocol(CommKind kind, const CommShape& shape, Bytes bytes);
// A bandwidth-only time under a protocol of `efficiency` (exact when it is 1).
[[nodiscard]] Time protocol_scaled(Time bandwidth, double efficiency);

}  // namespace deepsim

// Strongly typed integer ids: a GpuId cannot be passed where a LinkId is expected.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <limits>

namespace deepsim {

template <class Tag>
class Id {
 public:
  using rep = std::uint32_t;
  static constexpr rep kInvalid = std::numeric_limits<rep>::max();
  constexpr Id() = default;
  constexpr explicit Id(rep v) : v_(v) {}
  [[nodiscard]] constexpr rep value() const { return v_; }
  [[nodiscard]] constexpr bool valid() const { return v_ != kInvalid; }
  constexpr auto operator<=>(const Id&) const = default;

 private:
  rep v_ = kInvalid;
};

using GpuId = Id<struct GpuTag>;
using NodeId = Id<struct NodeTag>;
using LinkId = Id<struct LinkTag>;
using SwitchId = Id<struct SwitchTag>;
using FlowId = Id<struct FlowTag>;
using TaskId = Id<struct TaskTag>;
using RankId = Id<struct RankTag>;
using ExpertId = Id<struct ExpertTag>;

}  // namespace deepsim

template <class Tag>
struct std::hash<deepsim::Id<Tag>> {
  std::size_t operator()(deepsim::Id<Tag> id) const noexcept { return std::hash<std::uint32_t>{}(id.value()); }
};

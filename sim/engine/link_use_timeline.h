// LinkUseTimeline: what the links carried over time, recorded by the engine while it runs (when
// RunOptions::link_use asks for it), for the trace's link-utilisation counters. A link's rate is a step
// function of time: the sum, in bytes/s, of whatever crossed it,
//   rate_l(t) = sum over recorded intervals i on l with from_i <= t < to_i of r_i,
// fed by both comm paths: a duration plan's link use spread evenly over its duration (the analytic
// model: bytes on the link / duration), and every flow's max-min rate between two re-solves.
// Links are summed into channels by a map the caller gives (one channel per link, or one per link
// class), so the record costs O(change points per channel), not O(links x intervals).
// Rates are kept as integer bytes/s: a channel's sums are exact whatever order the intervals arrive in,
// so the same run always gives the same samples, and an idle channel reads exactly 0.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/core/ids.h"
#include "sim/core/time.h"

namespace deepsim {

class LinkUseTimeline {
 public:
  static constexpr std::uint32_t kNoChannel = 0xffffffffu;  // a link whose use is not recorded

  struct Sample {
    Time at;             // from this instant ...
    double bytes_per_s;  // ... until the next sample, the channel's summed rate
  };

  LinkUseTimeline() = default;
  // One channel per link: channel l is link l.
  explicit LinkUseTimeline(std::size_t links);
  // Link l summed into channel_of_link[l] (< channels, or kNoChannel).
  LinkUseTimeline(std::vector<std::uint32_t> channel_of_link, std::size_t channels);

  // `bytes_per_s` on `link` over [from, to). Empty intervals, zero rates and links beyond the map add
  // nothing.
  void add(LinkId link, Time from, Time to, double bytes_per_s);
  // share x bytes_per_s on each (link, share) over [from, to), summed per channel before rounding (a
  // duration plan spreads over hundreds of links of a few channels). The per-channel sums of a span are
  // kept by its address: its contents must not change while this timeline records (CommModel::Plan's
  // link_share is owned by the model and outlives the run).
  void add_shares(std::span<const std::pair<LinkId, double>> shares, Time from, Time to, double bytes_per_s);

  // The channel's rate as a step function: one sample per instant it changes, in time order (the first
  // at the first change, the last back to 0); empty when nothing was recorded.
  [[nodiscard]] std::vector<Sample> samples(std::size_t channel) const;
  // Whether anything was recorded on `link`.
  [[nodiscard]] bool used(LinkId link) const { return link.value() < used_.size() && used_[link.value()]; }
  [[nodiscard]] std::size_t channels() const { return deltas_.size(); }
  [[nodiscard]] std::size_t links() const { return channel_of_link_.size(); }
  [[nodiscard]] std::uint32_t channel_of(LinkId link) const { return channel_of_link_[link.value()]; }

 private:
  struct Delta {
    Time at;
    std::int64_t bytes_per_s;  // rate change at `at`
  };
  // Sorts a channel's deltas and merges those of one instant (keeps memory to the change points); the
  // first `sorted` are in time order already.
  static void compact(std::vector<Delta>& deltas, std::size_t sorted);
  // The interval's change pair on channel c (its rate already rounded, > 0).
  void push(std::uint32_t c, Time from, Time to, std::int64_t rate);

  std::vector<std::uint32_t> channel_of_link_;
  std::vector<std::vector<Delta>> deltas_;  // per channel, in arrival order since its last compaction
  std::vector<std::size_t> compacted_;      // per channel: its size after the last compaction
  std::vector<bool> used_;                  // per link
  struct ChannelShare {
    std::uint32_t channel;
    double share;  // summed over the span's links of the channel
  };
  struct SpanSums {
    std::vector<ChannelShare> sums;   // in the span's order of first appearance
    std::vector<std::uint32_t> links;  // its recorded links with a positive share
    bool marked = false;               // `links` are marked used
  };
  // add_shares: a span's per-channel sums, by the span's address.
  std::unordered_map<const void*, SpanSums> channel_shares_;
};

}  // namespace deepsim

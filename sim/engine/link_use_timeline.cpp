#include "sim/engine/link_use_timeline.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "sim/core/error.h"

namespace deepsim {

namespace {
// A channel's deltas are compacted when they have grown this much past their last compacted size:
// amortised O(log n) per interval, memory within a constant of the channel's change points.
constexpr std::size_t kCompactSlack = 4096;
}  // namespace

LinkUseTimeline::LinkUseTimeline(std::size_t links)
    : channel_of_link_(links), deltas_(links), compacted_(links, 0), used_(links, false) {
  std::iota(channel_of_link_.begin(), channel_of_link_.end(), 0u);
}

LinkUseTimeline::LinkUseTimeline(std::vector<std::uint32_t> channel_of_link, std::size_t channels)
    : channel_of_link_(std::move(channel_of_link)),
      deltas_(channels),
      compacted_(channels, 0),
      used_(channel_of_link_.size(), false) {
  for (const std::uint32_t c : channel_of_link_) DEEPSIM_ASSERT(c == kNoChannel || c < channels, "link mapped to an unknown channel");
}

void LinkUseTimeline::add(LinkId link, Time from, Time to, double bytes_per_s) {
  if (to <= from || link.value() >= channel_of_link_.size()) return;
  const std::uint32_t c = channel_of_link_[link.value()];
  const auto rate = static_cast<std::int64_t>(std::llround(bytes_per_s));
  if (c == kNoChannel || rate <= 0) return;
  used_[link.value()] = true;
  push(c, from, to, rate);
}

void LinkUseTimeline::add_shares(std::span<const std::pair<LinkId, double>> shares, Time from, Time to,
                                 double bytes_per_s) {
  if (to <= from || shares.empty()) return;
  auto [it, fresh] = channel_shares_.try_emplace(shares.data());
  SpanSums& span = it->second;
  if (fresh) {
    // Summed in the span's order, so the same span always gives the same sums.
    std::vector<double> by_channel(deltas_.size(), 0.0);
    std::vector<std::uint32_t> order;
    for (const auto& [link, share] : shares) {
      if (link.value() >= channel_of_link_.size() || share <= 0) continue;
      const std::uint32_t c = channel_of_link_[link.value()];
      if (c == kNoChannel) continue;
      span.links.push_back(link.value());
      if (by_channel[c] == 0) order.push_back(c);
      by_channel[c] += share;
    }
    for (const std::uint32_t c : order) span.sums.push_back({c, by_channel[c]});
  }
  bool any = false;
  for (const ChannelShare& cs : span.sums) {
    const auto rate = static_cast<std::int64_t>(std::llround(cs.share * bytes_per_s));
    if (rate <= 0) continue;
    push(cs.channel, from, to, rate);
    any = true;
  }
  if (any && !span.marked) {
    for (const std::uint32_t l : span.links) used_[l] = true;
    span.marked = true;
  }
}

void LinkUseTimeline::push(std::uint32_t c, Time from, Time to, std::int64_t rate) {
  std::vector<Delta>& d = deltas_[c];
  const std::size_t n = d.size();
  // An op's use of the links of one channel arrives as consecutive intervals with the same bounds (a
  // duration plan spreads over every link it uses): they add to the last pair instead of growing the
  // record. The deltas are a sum, so where a change is added cannot change it.
  if (n >= 2 && d[n - 2].at == from && d[n - 1].at == to) {
    d[n - 2].bytes_per_s += rate;
    d[n - 1].bytes_per_s -= rate;
    return;
  }
  d.push_back({from, rate});
  d.push_back({to, -rate});
  if (d.size() > 2 * compacted_[c] + kCompactSlack) {
    compact(d, compacted_[c]);
    compacted_[c] = d.size();
  }
}

void LinkUseTimeline::compact(std::vector<Delta>& deltas, std::size_t sorted) {
  // Integer sums: the order of equal instants after the sort cannot change them. The first `sorted`
  // deltas are the last compaction's, already in time order: only the newer ones are sorted, then merged.
  const auto by_time = [](const Delta& a, const Delta& b) { return a.at < b.at; };
  sorted = std::min(sorted, deltas.size());
  const auto mid = deltas.begin() + static_cast<std::ptrdiff_t>(sorted);
  std::sort(mid, deltas.end(), by_time);
  std::inplace_merge(deltas.begin(), mid, deltas.end(), by_time);
  std::size_t out = 0;
  for (std::size_t i = 0; i < deltas.size(); ++i) {
    if (out > 0 && deltas[out - 1].at == deltas[i].at) {
      deltas[out - 1].bytes_per_s += deltas[i].bytes_per_s;
    } else {
      deltas[out++] = deltas[i];
    }
  }
  // Instants whose changes cancel are no change points.
  deltas.resize(out);
  std::erase_if(deltas, [](const Delta& d) { return d.bytes_per_s == 0; });
}

std::vector<LinkUseTimeline::Sample> LinkUseTimeline::samples(std::size_t channel) const {
  DEEPSIM_ASSERT(channel < deltas_.size(), "unknown link-use channel");
  std::vector<Delta> d = deltas_[channel];
  compact(d, compacted_[channel]);
  std::vector<Sample> out;
  out.reserve(d.size());
  std::int64_t rate = 0;
  for (const Delta& x : d) {
    rate += x.bytes_per_s;
    out.push_back({x.at, static_cast<double>(rate)});
  }
  DEEPSIM_ASSERT(rate == 0, "a link-use channel does not return to idle");
  return out;
}

}  // namespace deepsim

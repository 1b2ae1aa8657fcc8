#include "sim/moe/router_memo.h"

#include <bit>
#include <cstring>

#include "sim/core/compute_once.h"
#include "sim/core/rng.h"

namespace deepsim {
namespace {

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

}  // namespace

std::uint64_t RouterMemo::hash(const RouterDrawKey& k, std::span<const double> base) {
  std::uint64_t h = mix64(static_cast<std::uint64_t>(k.kind));
  for (const std::uint64_t v :
       {static_cast<std::uint64_t>(k.shape.experts), static_cast<std::uint64_t>(k.shape.groups),
        static_cast<std::uint64_t>(k.shape.limited_groups), static_cast<std::uint64_t>(k.shape.top_k),
        static_cast<std::uint64_t>(k.noise), static_cast<std::uint64_t>(k.rule), bits(k.score_scale), k.stream_seed,
        static_cast<std::uint64_t>(k.tokens)})
    h = mix64(h ^ v);
  for (const double x : base) h = mix64(h ^ bits(x));
  return h;
}

bool RouterMemo::matches(const Entry& e, const RouterDrawKey& k, std::span<const double> base) {
  const RouterDrawKey& a = e.key;
  return a.kind == k.kind && a.shape.experts == k.shape.experts && a.shape.groups == k.shape.groups &&
         a.shape.limited_groups == k.shape.limited_groups && a.shape.top_k == k.shape.top_k && a.noise == k.noise &&
         a.rule == k.rule && bits(a.score_scale) == bits(k.score_scale) && a.stream_seed == k.stream_seed &&
         a.tokens == k.tokens && e.base.size() == base.size() &&
         std::memcmp(e.base.data(), base.data(), base.size() * sizeof(double)) == 0;
}

std::shared_ptr<const RouterDraw> RouterMemo::get(const RouterDrawKey& key, std::span<const double> base,
                                                  const std::function<RouterDraw()>& make) {
  const std::uint64_t h = hash(key, base);
  std::promise<std::shared_ptr<const RouterDraw>> promise;
  std::uint64_t id = 0;
  std::shared_future<std::shared_ptr<const RouterDraw>> found, own;
  {
    const std::lock_guard lock(m_);
    for (auto [it, end] = entries_.equal_range(h); it != end; ++it)
      if (matches(it->second, key, base)) {
        found = it->second.draw;  // a copy: the entry may be dropped while this thread waits
        break;
      }
    if (found.valid()) {
      ++hits_;
    } else {
      ++misses_;
      id = ++next_id_;
      own = promise.get_future().share();
      entries_.emplace(h, Entry{key, std::vector<double>(base.begin(), base.end()), own, id, false});
    }
  }
  if (found.valid()) return found.get();
  // Finds this call's entry again (a pending entry is never forgotten, only a failed one erased).
  const auto mine = [&]() -> std::unordered_multimap<std::uint64_t, Entry>::iterator {
    for (auto [it, end] = entries_.equal_range(h); it != end; ++it)
      if (it->second.id == id) return it;
    return entries_.end();
  };
  const std::shared_ptr<const RouterDraw> draw = compute_once<RouterDraw>(promise, make, m_, [&] {
    if (const auto it = mine(); it != entries_.end()) entries_.erase(it);
  });
  if (draw == nullptr) return own.get();  // rethrows make()'s exception
  const std::size_t size = (draw->pi.size() + base.size()) * sizeof(double) + draw->experts.size() * sizeof(int);
  const std::lock_guard lock(m_);
  const auto it = mine();
  if (it == entries_.end()) return draw;
  if (bytes_ + size > kMaxBytes) {
    // Forget the done entries but this one; pending ones stay, their makers account for them.
    std::erase_if(entries_, [&](const auto& kv) { return kv.second.done && kv.second.id != id; });
    bytes_ = 0;
  }
  it->second.done = true;
  bytes_ += size;
  return draw;
}

std::uint64_t RouterMemo::hits() const {
  const std::lock_guard lock(m_);
  return hits_;
}

std::uint64_t RouterMemo::misses() const {
  const std::lock_guard lock(m_);
  return misses_;
}

}  // namespace deepsim

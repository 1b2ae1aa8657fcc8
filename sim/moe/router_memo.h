// RouterMemo: the router's Monte Carlo draws (the probe of the aggregate mode, the per-token samples),
// kept across MoeLoadModel instances that ask for the same draw.
//
// A draw is a pure function of the router (shape, noise, group rule, score scale), the seeded stream it
// reads (a fresh fork, named by its seed), the token count and the base scores. The imbalance study of
// `deepsim run` walks five variants of one model through the same warm-up steps: "bias" and
// "bias + EPLB" see the same base scores at every step (EPLB moves replicas, which changes no expert's
// token count), and so do "no balancing" and "EPLB". The memo lets each such draw run once. The key
// holds a hash of the base scores and a hit compares them bit for bit, so an entry is only ever reused
// for the very draw it holds: results do not depend on the memo, on the order of requests nor on which
// thread filled an entry first.
//
// Placement-dependent statistics (nodes a token reaches) are not stored: the caller recomputes them from
// the stored choices for its own placement. Memory is bounded: past kMaxBytes it forgets everything.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>
#include <vector>

#include "sim/moe/ep_layout.h"
#include "sim/moe/routing_spec.h"

namespace deepsim {

// What a draw produced: for a probe, the summed inclusion probabilities (before normalising) and each
// probe token's top_k experts; for a per-token sample, every token's top_k experts (pi empty).
struct RouterDraw {
  std::vector<double> pi;
  std::vector<int> experts;
};

enum class RouterDrawKind : std::uint8_t { kProbe, kPerToken };

struct RouterDrawKey {
  RouterDrawKind kind = RouterDrawKind::kProbe;
  RouterShape shape;
  RouterNoise noise = RouterNoise::kGumbel;
  GroupScoreRule rule = GroupScoreRule::kTop2Sum;
  double score_scale = 1.0;
  std::uint64_t stream_seed = 0;  // Rng::seed() of the fresh stream the draw reads
  long long tokens = 0;
};

class RouterMemo {
 public:
  static constexpr std::size_t kMaxBytes = std::size_t{256} << 20;

  // The draw for (key, base), computed by `make` on a miss, outside the lock and once: a thread asking for
  // a draw another thread is computing waits for it (the imbalance study's variants run on several
  // threads and walk the same warm-up steps). If `make` throws, the waiters get the exception and the
  // draw is computed afresh when next asked.
  [[nodiscard]] std::shared_ptr<const RouterDraw> get(const RouterDrawKey& key, std::span<const double> base,
                                                      const std::function<RouterDraw()>& make);

  [[nodiscard]] std::uint64_t hits() const;
  [[nodiscard]] std::uint64_t misses() const;

 private:
  struct Entry {
    RouterDrawKey key;
    std::vector<double> base;
    std::shared_future<std::shared_ptr<const RouterDraw>> draw;  // pending while its maker runs
    std::uint64_t id = 0;                                         // which get() made it
    bool done = false;
  };
  [[nodiscard]] static std::uint64_t hash(const RouterDrawKey& key, std::span<const double> base);
  [[nodiscard]] static bool matches(const Entry& e, const RouterDrawKey& key, std::span<const double> base);

  mutable std::mutex m_;
  std::unordered_multimap<std::uint64_t, Entry> entries_;
  std::size_t bytes_ = 0;  // of the done entries
  std::uint64_t hits_ = 0, misses_ = 0, next_id_ = 0;
};

}  // namespace deepsim

// run_points: the worker pool a sweep runs its points on (training sweeps, sweep_run.cpp; serving
// sweeps, serve_run.cpp). Points are handed out in index order to `threads` workers (the calling
// thread among them); each finished point goes to `on_point` and to the progress callback under one
// lock, so a front end sees one point at a time; the outcome lists the finished points in index order
// whatever the timing, and stops early (without the unfinished ones) when cancel is requested.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sim/api/run_control.h"

namespace deepsim::api {

// `requested` threads, or every core when 0; never more than there are points.
[[nodiscard]] inline unsigned pool_threads(std::uint64_t points, int requested) {
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::min<std::uint64_t>(points, requested > 0 ? static_cast<unsigned>(requested) : cores));
}

// Runs run_one(i) for i in [0, n); run_one may throw Cancelled (the point is then dropped).
template <class Point, class RunOne>
[[nodiscard]] std::vector<Point> run_points(std::uint64_t n, unsigned threads, const RunControl& control, RunOne run_one,
                                            const std::function<void(const Point&)>& on_point) {
  std::vector<std::optional<Point>> slots(n);
  std::atomic<std::uint64_t> next{0};
  std::mutex mu;  // guards `finished` and the callbacks
  int finished = 0;
  auto work = [&] {
    for (std::uint64_t i = next++; i < n && !control.cancel.cancelled(); i = next++) {
      std::optional<Point> p;
      try {
        p = run_one(i);
      } catch (const Cancelled&) {
        return;
      }
      const std::lock_guard lock(mu);
      ++finished;
      if (on_point) on_point(*p);
      if (control.progress)
        control.progress({"point " + std::to_string(finished) + " of " + std::to_string(n), finished, static_cast<int>(n)});
      slots[i] = std::move(p);
    }
  };
  std::vector<std::jthread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  pool.clear();  // joins
  std::vector<Point> out;
  for (auto& s : slots)
    if (s) out.push_back(std::move(*s));
  return out;
}

}  // namespace deepsim::api

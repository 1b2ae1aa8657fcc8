// EventQueue: the engine's agenda, a binary min-heap on a vector ordered by (time, insertion sequence).
// The sequence number makes simultaneous events leave in the order they were scheduled, so a run never
// depends on how the heap happens to break ties (ns-3's rule). Events are never removed early: a
// resource that reschedules a completion pushes a new event and lets the old one be recognised as stale
// when it surfaces (lazy deletion), which keeps the queue this small.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "sim/core/error.h"
#include "sim/core/time.h"

namespace deepsim {

template <class Payload>
class EventQueue {
 public:
  struct Entry {
    Time time;
    std::uint64_t seq = 0;
    Payload payload;
  };

  void push(Time time, Payload payload) {
    heap_.push_back(Entry{time, next_seq_++, std::move(payload)});
    sift_up(heap_.size() - 1);
  }

  [[nodiscard]] bool empty() const { return heap_.empty(); }
  [[nodiscard]] std::size_t size() const { return heap_.size(); }
  [[nodiscard]] const Entry& top() const {
    DEEPSIM_ASSERT(!heap_.empty(), "top() of an empty event queue");
    return heap_.front();
  }

  Entry pop() {
    DEEPSIM_ASSERT(!heap_.empty(), "pop() of an empty event queue");
    Entry out = std::move(heap_.front());
    heap_.front() = std::move(heap_.back());
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0);
    return out;
  }

  void reserve(std::size_t n) { heap_.reserve(n); }

 private:
  [[nodiscard]] static bool before(const Entry& a, const Entry& b) {
    return a.time != b.time ? a.time < b.time : a.seq < b.seq;
  }

  // Hole-moving sifts: one move per level instead of a swap.
  void sift_up(std::size_t i) {
    Entry e = std::move(heap_[i]);
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
      if (!before(e, heap_[parent])) break;
      heap_[i] = std::move(heap_[parent]);
      i = parent;
    }
    heap_[i] = std::move(e);
  }

  void sift_down(std::size_t i) {
    const std::size_t n = heap_.size();
    Entry e = std::move(heap_[i]);
    for (;;) {
      std::size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
      if (!before(heap_[child], e)) break;
      heap_[i] = std::move(heap_[child]);
      i = child;
    }
    heap_[i] = std::move(e);
  }

  std::vector<Entry> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace deepsim

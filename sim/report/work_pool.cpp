#include "sim/report/work_pool.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>

#include "sim/core/error.h"

namespace deepsim {

std::vector<std::string> WorkPool::map(std::uint64_t n, const Compute& compute) {
  std::vector<std::string> out;
  if (coordinator()) out.reserve(static_cast<std::size_t>(n));
  run(n, compute, [&out](std::uint64_t, std::string&& bytes) { out.push_back(std::move(bytes)); });
  std::string packed = coordinator() ? pack_strings(out) : std::string();
  share(packed);
  return coordinator() ? out : unpack_strings(packed);
}

ThreadWorkPool::ThreadWorkPool(int threads, std::uint64_t window)
    : threads_(std::max(1, threads)), window_(window > 0 ? window : 4 * static_cast<std::uint64_t>(std::max(1, threads)) + 8) {}

void ThreadWorkPool::run(std::uint64_t n, const Compute& compute, const Consume& consume) {
  // Shared state: the next item to hand out, the next to consume, and finished items waiting for an
  // earlier one. Whichever thread finishes the item next in line consumes every ready one in order.
  std::mutex m;
  std::condition_variable cv;
  std::uint64_t next = 0, next_consume = 0;
  std::map<std::uint64_t, std::string> pending;
  std::exception_ptr error;
  const auto work = [&] {
    for (;;) {
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return next >= n || next < next_consume + window_ || error; });
      if (next >= n || error) return;
      const std::uint64_t i = next++;
      lock.unlock();
      std::string bytes;
      try {
        bytes = compute(i);
      } catch (...) {
        lock.lock();
        if (!error) error = std::current_exception();
        cv.notify_all();
        return;
      }
      lock.lock();
      pending.emplace(i, std::move(bytes));
      try {
        for (auto it = pending.find(next_consume); it != pending.end() && !error; it = pending.find(next_consume)) {
          consume(it->first, std::move(it->second));
          pending.erase(it);
          ++next_consume;
        }
      } catch (...) {
        if (!error) error = std::current_exception();
      }
      cv.notify_all();
    }
  };
  const int threads = static_cast<int>(std::min<std::uint64_t>(static_cast<std::uint64_t>(threads_), std::max<std::uint64_t>(n, 1)));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) {
    // A system that refuses a thread (--jobs 2000 on a small machine): run on those already started.
    try {
      pool.emplace_back(work);
    } catch (const std::system_error&) {
      break;
    }
  }
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  DEEPSIM_ASSERT(next_consume == n, "every item consumed");
}

std::string pack_strings(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    const std::uint64_t len = s.size();
    out.append(reinterpret_cast<const char*>(&len), sizeof len);
    out += s;
  }
  return out;
}

std::vector<std::string> unpack_strings(const std::string& packed) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < packed.size();) {
    std::uint64_t len = 0;
    DEEPSIM_ASSERT(at + sizeof len <= packed.size(), "packed length inside the buffer");
    std::memcpy(&len, packed.data() + at, sizeof len);
    at += sizeof len;
    DEEPSIM_ASSERT(at + len <= packed.size(), "packed item inside the buffer");
    out.emplace_back(packed, at, static_cast<std::size_t>(len));
    at += static_cast<std::size_t>(len);
  }
  return out;
}

}  // namespace deepsim

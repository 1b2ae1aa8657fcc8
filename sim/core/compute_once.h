// compute_once: the computing side of a cache that computes each key once while other threads wait on
// a std::shared_future of it (RoutingSampleCache, RouterMemo).
#pragma once

#include <exception>
#include <future>
#include <memory>
#include <mutex>

namespace deepsim {

// Runs `make` (outside any lock) and fulfils `promise` with its result, which it also returns. If `make`
// throws, `forget()` runs under `m` (the cache drops the key's entry, so a later ask computes it again),
// every waiter gets the exception, and this returns null: the caller rethrows through its own future.
template <class T, class Make, class Forget>
[[nodiscard]] std::shared_ptr<const T> compute_once(std::promise<std::shared_ptr<const T>>& promise, const Make& make,
                                                    std::mutex& m, const Forget& forget) {
  std::shared_ptr<const T> value;
  try {
    value = std::make_shared<const T>(make());
  } catch (...) {
    {
      const std::lock_guard lock(m);
      forget();
    }
    promise.set_exception(std::current_exception());
    return nullptr;
  }
  promise.set_value(value);
  return value;
}

}  // namespace deepsim

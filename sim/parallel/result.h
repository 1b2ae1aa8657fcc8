// Result<T>: a value or the reason it could not be made, for plan and schedule builders.
// Impossible plans (odd PP for DualPipe, EP not dividing a stage) are answers, not crashes: the scenario
// loader has already turned user mistakes into InputErrors, so what reaches here is a combination the
// caller may legitimately probe (a sweep over PP and micro-batches) and wants to skip with a reason.
// std::expected is C++23; this is the small subset we need.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "sim/core/error.h"

namespace deepsim {

// Why a plan or schedule cannot be built, in words a user can act on.
struct PlanError {
  std::string message;
};

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT(google-explicit-constructor): value or error
  Result(PlanError error) : v_(std::move(error)) {}   // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const { return std::holds_alternative<T>(v_); }
  [[nodiscard]] explicit operator bool() const { return ok(); }

  [[nodiscard]] const T& value() const& {
    DEEPSIM_ASSERT(ok(), "Result::value() on an error: " + error());
    return std::get<T>(v_);
  }
  [[nodiscard]] T&& value() && {
    DEEPSIM_ASSERT(ok(), "Result::value() on an error: " + error());
    return std::get<T>(std::move(v_));
  }
  [[nodiscard]] const T& operator*() const& { return value(); }
  [[nodiscard]] const T* operator->() const { return &value(); }

  // Empty when ok().
  [[nodiscard]] const std::string& error() const {
    static const std::string kNone;
    return ok() ? kNone : std::get<PlanError>(v_).message;
  }

 private:
  std::variant<T, PlanError> v_;
};

}  // namespace deepsim

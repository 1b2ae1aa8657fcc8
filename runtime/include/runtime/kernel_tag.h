// The tag stack: what the executor is doing now (layer, op, micro-batch, phase), read by the CUPTI launch
// callback so that every kernel record carries the op that launched it. NVTX-free: a ScopedTag around each
// op pushes a tag and pops it at scope end; nested scopes (a GEMM inside "moe.expert") override fields.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "runtime/measured_run.h"

namespace deepsim::runtime {

class KernelTagger {
 public:
  void push(const KernelTag& t) {
    const std::lock_guard<std::mutex> lock(mutex_);
    stack_.push_back(t);
  }
  void pop() {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (!stack_.empty()) stack_.pop_back();
  }
  // The innermost tag (a default tag, op "untagged", when the stack is empty).
  [[nodiscard]] KernelTag current() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (stack_.empty()) return KernelTag{-1, "untagged", -1, '\0', "", 0, 0, 0};
    return stack_.back();
  }

 private:
  mutable std::mutex mutex_;  // CUPTI calls back on the launching thread; the lock keeps reads consistent
  std::vector<KernelTag> stack_;
};

// Fields left empty/zero (phase '\0', shape 0) inherit from the enclosing tag.
class ScopedTag {
 public:
  ScopedTag(KernelTagger& tagger, KernelTag tag) : tagger_(tagger) {
    const KernelTag outer = tagger.current();
    if (tag.layer < 0) tag.layer = outer.layer;
    if (tag.micro_batch < 0) tag.micro_batch = outer.micro_batch;
    if (tag.op.empty()) tag.op = outer.op;
    if (tag.family.empty()) tag.family = outer.family;
    if (tag.phase == '\0') tag.phase = outer.phase;
    if (tag.m == 0 && tag.n == 0 && tag.k == 0) {
      tag.m = outer.m;
      tag.n = outer.n;
      tag.k = outer.k;
    }
    tagger_.push(tag);
  }
  ScopedTag(const ScopedTag&) = delete;
  ScopedTag& operator=(const ScopedTag&) = delete;
  ~ScopedTag() { tagger_.pop(); }

 private:
  KernelTagger& tagger_;
};

// The auxiliary kernels of a GEMM op (quantisers, transposes, the gradient accumulate, a grouped GEMM's
// quantisers): the enclosing op's layer, micro-batch and phase, op "<op>.<what>", family memory_bound and
// no shape, so that only the GEMM launch itself carries a GEMM family and shape (calibrate/ turns each such
// kernel into one fitting sample). A no-op without a tagger.
class AuxKernelTag {
 public:
  AuxKernelTag(KernelTagger* tagger, const char* what) : tagger_(tagger) {
    if (tagger_ == nullptr) return;
    KernelTag t = tagger_->current();
    t.op += std::string(".") + what;
    t.family = "memory_bound";
    t.m = t.n = t.k = 0;
    tagger_->push(t);
  }
  AuxKernelTag(const AuxKernelTag&) = delete;
  AuxKernelTag& operator=(const AuxKernelTag&) = delete;
  ~AuxKernelTag() {
    if (tagger_ != nullptr) tagger_->pop();
  }

 private:
  KernelTagger* tagger_;
};

}  // namespace deepsim::runtime

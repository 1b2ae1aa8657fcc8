// ModelMemo: memoises a pure function of (ModelSpec, a small key) across calls and threads. A plan
// search evaluates thousands of plans of one model whose per-stage op lists repeat for every choice
// of DP, EP, ZeRO or schedule; building them again was most of `deepsim plan`'s static checks.
// A hit compares the whole ModelSpec (operator==), so a different model never shares an entry. Bounded:
// past kMaxEntries it forgets everything.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "sim/model/model_spec.h"

namespace deepsim {

template <class Key, class Value>
class ModelMemo {
 public:
  static constexpr std::size_t kMaxEntries = 1024;

  // The value for (model, key), computed by `make` on a miss (outside the lock; equal results if two
  // threads race, the first stored is kept).
  [[nodiscard]] std::shared_ptr<const Value> get(const ModelSpec& model, const Key& key, const std::function<Value()>& make) {
    {
      const std::lock_guard lock(m_);
      if (auto v = find(model, key)) return v;
    }
    auto v = std::make_shared<const Value>(make());
    const std::lock_guard lock(m_);
    if (auto kept = find(model, key)) return kept;
    if (entries_.size() >= kMaxEntries) entries_.clear();
    entries_.push_back({model, key, v});
    return v;
  }

 private:
  struct Entry {
    ModelSpec model;
    Key key;
    std::shared_ptr<const Value> value;
  };
  [[nodiscard]] std::shared_ptr<const Value> find(const ModelSpec& model, const Key& key) const {
    for (const Entry& e : entries_)
      if (e.key == key && e.model == model) return e.value;
    return nullptr;
  }
  std::mutex m_;
  std::vector<Entry> entries_;
};

}  // namespace deepsim

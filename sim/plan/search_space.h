// SearchSpace: the parallel plans `deepsim plan` considers for one cluster and model (docs/plan.md).
//
// A plan is one value per dimension. Each dimension is one row of the table in search_space.cpp: its
// name, the scenario key it sets, its default values for the base scenario, and how it is applied. A
// new parallel dimension is one more row there. Tensor parallelism (1, 2, 4, ... up to a node's GPUs)
// and sequence parallelism (off / on where tp > 1) are searched for dense models; MoE models keep the
// scenario's tp (docs/plan.md).
// Context parallelism (parallel.cp: 1, 2, 4, 8 where seq_len allows) is a row only for seq_len above
// kCpMinSeqLen or when the scenario sets cp (docs/plan.md).
// Derived, not searched: dp = GPUs / (pp x tp x cp), and the micro-batch count, which the global batch fixes
// (micro_batches = global_batch / (dp x micro_batch_size), rounded up to what the schedule can run).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace deepsim {

// Sequences up to this length are searched with cp = 1 only (docs/plan.md).
inline constexpr int kCpMinSeqLen = 4096;

struct PlanDimension {
  std::string name;  // "pp", "schedule", ...: the column in reports
  std::string key;   // the scenario key it sets, "parallel.pp": the name for --vary
  std::vector<int> values;
  std::function<void(Scenario&, int)> apply;
  std::function<std::string(int)> show;  // a value as reports print it
  // Parses one value given to --vary; throws InputError with a hint naming the accepted values.
  std::function<int(const std::string&)> parse;
};

class SearchSpace {
 public:
  // The default space for `base`'s cluster and model.
  explicit SearchSpace(const Scenario& base);

  // Replaces a dimension's values: "parallel.pp=4,8,16" (a single value fixes the dimension). Throws
  // InputError naming "--vary" for an unknown key (with a did-you-mean hint) or a bad value.
  void vary(const std::string& spec);

  [[nodiscard]] const std::vector<PlanDimension>& dimensions() const { return dims_; }
  [[nodiscard]] std::uint64_t size() const;  // the cartesian product, before any pruning
  // Plan i (mixed radix over the dimensions, the last one fastest).
  [[nodiscard]] std::vector<int> plan_at(std::uint64_t i) const;
  // "pp=8 ep=64 schedule=dualpipe ...".
  [[nodiscard]] std::string describe(const std::vector<int>& plan) const;
  // `base` with the plan applied and dp, micro_batches and global_batch derived. Throws InputError
  // when the plan cannot be laid out (it is then pruned by placement rules).
  [[nodiscard]] Scenario apply(const Scenario& base, const std::vector<int>& plan) const;

 private:
  std::vector<PlanDimension> dims_;
};

}  // namespace deepsim

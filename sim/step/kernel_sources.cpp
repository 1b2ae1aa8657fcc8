#include "sim/step/kernel_sources.h"

#include <array>
#include <set>
#include <string>

#include "sim/step/op_timing.h"

namespace deepsim {
namespace {

const char* pass_name(Pass p) {
  switch (p) {
    case Pass::kForward: return "fwd";
    case Pass::kDgrad: return "dgrad";
    case Pass::kWgrad: return "wgrad";
  }
  return "?";
}

}  // namespace

std::vector<FamilySource> kernel_sources(const ModelSpec& m, const std::vector<StageLayers>& stages,
                                         const KernelModel& model, const StageCostContext& c) {
  std::array<std::vector<std::string>, kOpFamilyCount> ops;
  std::set<std::string> seen;  // "name pass": each listed once, in first-seen order
  auto add = [&](OpFamily f, const std::string& what) {
    if (seen.insert(what).second) ops[static_cast<std::size_t>(f)].push_back(what);
  };
  for (const StageLayers& st : stages)
    for (const Op& op : stage_ops(m, st, c))
      for (const Pass p : {Pass::kForward, Pass::kDgrad, Pass::kWgrad}) {
        const OpWork w = op_work(op, p);
        if (w.flops.value() <= 0 && w.bytes.value() <= 0) continue;  // pass_time() skips these too
        add(w.family, op.name + " " + pass_name(p));
      }
  // The AdamW step on the rank's shard (sim/step/comm_costs.cpp): one memory-bound pass.
  add(OpFamily::kMemoryBound, "optimizer.adamw fwd");
  std::vector<FamilySource> out;
  for (int f = 0; f < kOpFamilyCount; ++f) {
    auto& names = ops[static_cast<std::size_t>(f)];
    if (names.empty()) continue;
    const KernelSource src = model.source(static_cast<OpFamily>(f));
    out.push_back({to_string(static_cast<OpFamily>(f)), src.from_profile, src.text, std::move(names)});
  }
  return out;
}

}  // namespace deepsim

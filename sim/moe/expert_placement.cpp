#include "sim/moe/expert_placement.h"

#include <utility>

#include "sim/core/error.h"

namespace deepsim {

ExpertPlacement ExpertPlacement::contiguous(int experts, EpLayout layout) {
  DEEPSIM_ASSERT(layout.gpus > 0 && experts % layout.gpus == 0, "experts divide over the EP ranks");
  std::vector<int> slots(static_cast<std::size_t>(experts));
  for (int e = 0; e < experts; ++e) slots[static_cast<std::size_t>(e)] = e;
  return from_slots(std::move(slots), experts, layout);
}

ExpertPlacement ExpertPlacement::from_slots(std::vector<int> slot_expert, int experts, EpLayout layout) {
  DEEPSIM_ASSERT(layout.gpus > 0 && !slot_expert.empty() && slot_expert.size() % static_cast<std::size_t>(layout.gpus) == 0,
                 "slots fill the EP ranks evenly");
  ExpertPlacement p;
  p.logical_experts = experts;
  p.layout = layout;
  p.slots_per_gpu = static_cast<int>(slot_expert.size()) / layout.gpus;
  p.replicas.resize(static_cast<std::size_t>(experts));
  for (std::size_t s = 0; s < slot_expert.size(); ++s) {
    const int e = slot_expert[s];
    DEEPSIM_ASSERT(e >= 0 && e < experts, "slot holds a valid expert");
    p.replicas[static_cast<std::size_t>(e)].push_back(static_cast<int>(s));
  }
  for (const auto& r : p.replicas) DEEPSIM_ASSERT(!r.empty(), "every logical expert keeps a replica");
  p.slot_expert = std::move(slot_expert);
  return p;
}

std::vector<double> ExpertPlacement::gpu_load(std::span<const double> expert_tokens) const {
  DEEPSIM_ASSERT(static_cast<int>(expert_tokens.size()) == logical_experts, "one load per logical expert");
  std::vector<double> out(static_cast<std::size_t>(layout.gpus), 0.0);
  for (int s = 0; s < slots(); ++s) {
    const auto e = static_cast<std::size_t>(slot_expert[static_cast<std::size_t>(s)]);
    out[static_cast<std::size_t>(gpu_of_slot(s))] += expert_tokens[e] / static_cast<double>(replicas[e].size());
  }
  return out;
}

}  // namespace deepsim

// ExpertPlacement: which logical expert each physical expert slot of an EP group holds. Slot s lives on
// EP rank s / slots_per_gpu. Without redundancy the placement is contiguous (expert e on rank
// e / (E/ep): 4 routed experts a GPU for 256 experts on EP64, so group g = node g for V3's 8 groups on 8
// nodes); EPLB (eplb.h) adds replicas of hot experts. A token routed to a replicated expert goes to one
// replica (ReplicaRule), so the load estimate here splits an expert's tokens evenly over its replicas.
#pragma once

#include <span>
#include <vector>

#include "sim/moe/ep_layout.h"

namespace deepsim {

struct ExpertPlacement {
  int logical_experts = 0;
  EpLayout layout;
  int slots_per_gpu = 0;
  std::vector<int> slot_expert;            // physical slot -> logical expert
  std::vector<std::vector<int>> replicas;  // logical expert -> its slots, ascending

  // Expert e on rank e / (E / ep).
  [[nodiscard]] static ExpertPlacement contiguous(int experts, EpLayout layout);
  // Checks every slot holds a valid expert, every expert has a replica and slots fill the GPUs evenly.
  [[nodiscard]] static ExpertPlacement from_slots(std::vector<int> slot_expert, int experts, EpLayout layout);

  [[nodiscard]] int slots() const { return static_cast<int>(slot_expert.size()); }
  [[nodiscard]] int gpu_of_slot(int slot) const { return slot / slots_per_gpu; }
  // Token rows each GPU's expert GEMMs process when every expert's tokens split evenly over its replicas.
  [[nodiscard]] std::vector<double> gpu_load(std::span<const double> expert_tokens) const;
};

}  // namespace deepsim

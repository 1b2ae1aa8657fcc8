// Activation recomputation: which forward work a layer repeats in its backward instead of keeping its
// outputs. The modes are Megatron-LM's (none, selective, full; Korthikanti et al. 2022, "Reducing
// Activation Recomputation in Large Transformer Models", section 5) plus DeepSeek-V3's own partial
// recompute (TR 3.4). What each keeps and repeats: docs/model.md, "Recomputation".
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace deepsim {

enum class RecomputeMode : std::uint8_t {
  kNone,       // keep every activation the backward reads
  kPartial,    // DeepSeek-V3 TR 3.4: norm outputs, MLA up-projections and SwiGLU outputs recomputed
  kSelective,  // Megatron selective: the attention core (QK^T, softmax, dropout, PV) re-run in the backward
  kFull,       // Megatron full: each layer keeps only its input and re-runs its whole forward in the backward
};

[[nodiscard]] const char* to_string(RecomputeMode m);
// The spellings in enum order ("none", "partial", "selective", "full").
[[nodiscard]] std::vector<std::string_view> recompute_mode_names();
[[nodiscard]] std::optional<RecomputeMode> parse_recompute_mode(std::string_view s);

}  // namespace deepsim

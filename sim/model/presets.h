// Model presets from published configs: deepseek-v3, deepseek-v2, llama-3.1-405b, qwen2.5-72b.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/model/model_spec.h"

namespace deepsim {

[[nodiscard]] std::optional<ModelSpec> find_model_preset(std::string_view name);  // case-insensitive
[[nodiscard]] std::vector<std::string> model_preset_names();

}  // namespace deepsim

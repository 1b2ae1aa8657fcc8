// Shared helpers for the model tests: the presets, fetched by name so a missing one fails loudly.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "sim/model/presets.h"

namespace deepsim::testing {

inline ModelSpec preset(const std::string& name) {
  auto m = find_model_preset(name);
  if (!m) ADD_FAILURE() << "no preset " << name;
  return m.value_or(ModelSpec{});
}

}  // namespace deepsim::testing

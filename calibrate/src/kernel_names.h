// KernelNameMap: kernel name -> kernel class, by ordered regular expressions (first match wins).
// A class is an op family name (sim/perf/op_work.h: gemm_fp8, attention_fwd, ...), "communication" or
// "other". Defaults cover cuBLAS/cuBLASLt, CUTLASS, DeepGEMM, flash-attention/FlashMLA, NCCL/DeepEP and
// PyTorch's elementwise/reduce kernels; a YAML file can put its own patterns in front of them.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/perf/op_work.h"

namespace deepsim::calib {

inline constexpr const char* kCommunicationClass = "communication";
inline constexpr const char* kOtherClass = "other";

// The valid class names: every op family, then communication and other.
[[nodiscard]] std::vector<std::string> kernel_class_names();
[[nodiscard]] bool is_kernel_class(const std::string& s);

struct NamePattern {
  std::string regex;        // ECMAScript, matched case-insensitively anywhere in the name
  std::string kernel_class;
};

class KernelNameMap {
 public:
  // The built-in defaults.
  KernelNameMap();
  explicit KernelNameMap(std::vector<NamePattern> patterns);
  // Patterns from a YAML file ("patterns: [{regex: ..., class: ...}]"), in front of the current ones.
  void prepend_file(const std::string& path);
  void prepend(std::vector<NamePattern> patterns);

  // The class of `name` ("other" when nothing matches). Cached per distinct name.
  [[nodiscard]] const std::string& classify(const std::string& name) const;
  [[nodiscard]] const std::vector<NamePattern>& patterns() const { return patterns_; }

 private:
  void compile();
  std::vector<NamePattern> patterns_;
  std::vector<std::regex> compiled_;
  mutable std::unordered_map<std::string, std::string> cache_;
};

[[nodiscard]] std::vector<NamePattern> default_name_patterns();
// The op family of a class, if the class is one.
[[nodiscard]] std::optional<OpFamily> family_of_class(const std::string& kernel_class);

}  // namespace deepsim::calib

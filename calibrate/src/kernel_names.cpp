#include "calibrate/src/kernel_names.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "sim/core/error.h"
#include "sim/core/suggest.h"

namespace deepsim::calib {

std::vector<std::string> kernel_class_names() {
  std::vector<std::string> v;
  for (int i = 0; i < kOpFamilyCount; ++i) v.emplace_back(to_string(static_cast<OpFamily>(i)));
  v.emplace_back(kCommunicationClass);
  v.emplace_back(kOtherClass);
  return v;
}

bool is_kernel_class(const std::string& s) {
  const auto names = kernel_class_names();
  return std::find(names.begin(), names.end(), s) != names.end();
}

std::optional<OpFamily> family_of_class(const std::string& kernel_class) {
  OpFamily f{};
  if (parse_op_family(kernel_class, f)) return f;
  return std::nullopt;
}

std::vector<NamePattern> default_name_patterns() {
  // Order matters: the specific before the general (grouped before dense, FP8 before BF16, backward
  // attention before forward, everything before the catch-all GEMM and memory-bound patterns).
  return {
      // DeepEP (dpsk::ep::... in DeepSeek's own trace): dispatch, combine, notify and layout kernels.
      {"nccl|deep_?ep|dpsk::ep|intranode|internode|low_latency_(dispatch|combine)|all_?to_?all|allreduce|allgather|"
       "reduce_?scatter",
       kCommunicationClass},
      // Fused SwiGLU kernels that also cast their output are element-wise work first.
      {"swiglu", "memory_bound"},
      // FP8 quantise / cast / transpose kernels (per_token_cast_to_fp8, per_channel_cast_and_transpose,
      // cast_back, the FP8 operand transposes of dpsk::grouped_gemm::cuda::utils): never GEMMs, even
      // inside a GEMM library's namespace.
      {"cast|quant|transpose", "fp8_cast"},
      // Weight-gradient GEMMs: DeepSeek's fp8_dptp128c_acc accumulates into the FP32 gradient.
      {"dptp128c|wgrad|weight_?grad|k_grouped", "wgrad_gemm_fp8"},
      // Grouped (MoE) GEMMs by their own name, not by the namespace: dpsk::grouped_gemm holds dense
      // GEMMs too (fp8_ptp128c).
      {"m_grouped|grouped_sm90|grouped_gemm_(fp8|e4m3)", "grouped_gemm_fp8"},
      {"grouped_gemm_bf16|m_grouped_bf16|moe_?gemm|grouped_mm", "grouped_gemm_bf16"},
      {"fp8_gemm|gemm.*fp8|fp8.*gemm|e4m3|deep_gemm|fp8_cublaslt|sm90_fp8|ptp128c", "gemm_fp8"},
      {"flash_?attn.*(bwd|backward)|flash_bwd|fmha.*(bwd|backward)|mla.*(bwd|backward)|attention.*(bwd|backward)",
       "attention_bwd"},
      {"flash_?attn|flash_fwd|flash_?mla|fmha|mla.*(fwd|forward|kernel)|attention|compute_attn", "attention_fwd"},
      {"gemm|gemv|cublas|cutlass|xmma|nvjet|matmul", "gemm_bf16"},
      {"elementwise|vectorized|reduce|norm|softmax|copy|fill|cat_|index|scatter|gather|adam|silu|swiglu|quant|"
       "permute|embedding|cross_entropy|topk|sort|rotary|rope|expert|fused|unique_group|aux_fi|distribution",
       "memory_bound"},
  };
}

KernelNameMap::KernelNameMap() : KernelNameMap(default_name_patterns()) {}

KernelNameMap::KernelNameMap(std::vector<NamePattern> patterns) : patterns_(std::move(patterns)) { compile(); }

void KernelNameMap::compile() {
  compiled_.clear();
  for (const NamePattern& p : patterns_)
    compiled_.emplace_back(p.regex, std::regex::ECMAScript | std::regex::icase | std::regex::optimize);
  cache_.clear();
}

void KernelNameMap::prepend(std::vector<NamePattern> patterns) {
  patterns.insert(patterns.end(), patterns_.begin(), patterns_.end());
  patterns_ = std::move(patterns);
  compile();
}

void KernelNameMap::prepend_file(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw InputError({path, 0, 0}, "", "cannot open kernel-name pattern file");
  } catch (const YAML::ParserException& e) {
    throw InputError({path, e.mark.line + 1, e.mark.column + 1}, "", "YAML syntax: " + e.msg);
  }
  const YAML::Node list = root["patterns"];
  if (!list || !list.IsSequence())
    throw InputError({path, root.Mark().line + 1, 0}, "patterns", "missing or not a list",
                     "patterns: [{regex: 'my_gemm', class: gemm_fp8}]");
  std::vector<NamePattern> add;
  for (const YAML::Node& e : list) {
    const SourcePos at{path, e.Mark().line + 1, e.Mark().column + 1};
    if (!e.IsMap() || !e["regex"] || !e["class"])
      throw InputError(at, "patterns", "each pattern needs 'regex' and 'class'");
    NamePattern p{e["regex"].as<std::string>(), e["class"].as<std::string>()};
    if (!is_kernel_class(p.kernel_class))
      throw InputError(at, "patterns.class", "unknown kernel class '" + p.kernel_class + "'",
                       suggestion_hint(p.kernel_class, kernel_class_names()));
    try {
      const std::regex check(p.regex, std::regex::ECMAScript);
    } catch (const std::regex_error& err) {
      throw InputError(at, "patterns.regex", "bad regular expression '" + p.regex + "': " + err.what());
    }
    add.push_back(std::move(p));
  }
  prepend(std::move(add));
}

const std::string& KernelNameMap::classify(const std::string& name) const {
  if (const auto it = cache_.find(name); it != cache_.end()) return it->second;
  std::string cls = kOtherClass;
  for (std::size_t i = 0; i < compiled_.size(); ++i)
    if (std::regex_search(name, compiled_[i])) {
      cls = patterns_[i].kernel_class;
      break;
    }
  return cache_.emplace(name, std::move(cls)).first->second;
}

}  // namespace deepsim::calib

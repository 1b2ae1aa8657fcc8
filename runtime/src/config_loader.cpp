// YAML -> ExecConfig. Reads the scenario sections the executor needs (model spelled out in full, parallel,
// training, cluster) and the executor-only keys; errors name file:line:column and the key path.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "runtime/config.h"

namespace deepsim::runtime {
namespace {

struct Reader {
  std::string file;

  [[noreturn]] void fail(const YAML::Node& n, const std::string& key, const std::string& msg,
                         const std::string& hint = {}) const {
    std::ostringstream os;
    const YAML::Mark m = n.Mark();
    os << file;
    if (m.line >= 0) os << ":" << m.line + 1 << ":" << m.column + 1;
    os << ": " << key << ": " << msg;
    if (!hint.empty()) os << " (hint: " << hint << ")";
    throw ConfigError(os.str());
  }

  template <typename T>
  T scalar(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) fail(n, key, "expected a scalar value");
    try {
      return n.as<T>();
    } catch (const YAML::Exception&) {
      fail(n, key, "cannot read '" + n.Scalar() + "' as the key's type");
    }
  }

  // Integer key in [lo, hi]; accepts 1e3-style whole numbers like the scenario loader.
  void integer(const YAML::Node& sec, const std::string& section, const char* key, int& out, long lo, long hi) const {
    const YAML::Node n = sec[key];
    if (!n) return;
    const std::string path = section + "." + key;
    const double v = scalar<double>(n, path);
    if (v != static_cast<double>(static_cast<long>(v))) fail(n, path, "expected a whole number, got " + n.Scalar());
    if (v < static_cast<double>(lo) || v > static_cast<double>(hi))
      fail(n, path, "out of range: " + n.Scalar(), "allowed " + std::to_string(lo) + " to " + std::to_string(hi));
    out = static_cast<int>(v);
  }
  void number(const YAML::Node& sec, const std::string& section, const char* key, float& out, double lo,
              double hi) const {
    const YAML::Node n = sec[key];
    if (!n) return;
    const std::string path = section + "." + key;
    const double v = scalar<double>(n, path);
    if (!(v >= lo && v <= hi)) fail(n, path, "out of range: " + n.Scalar());
    out = static_cast<float>(v);
  }
  void boolean(const YAML::Node& sec, const std::string& section, const char* key, bool& out) const {
    if (const YAML::Node n = sec[key]) out = scalar<bool>(n, section + "." + key);
  }
  void text(const YAML::Node& sec, const std::string& section, const char* key, std::string& out) const {
    if (const YAML::Node n = sec[key]) out = scalar<std::string>(n, section + "." + key);
  }
  void require(const YAML::Node& sec, const std::string& section, const char* key) const {
    if (!sec[key]) fail(sec, section + "." + key, "required by the executor (spell the model out in full)");
  }
};

void read_model(const Reader& r, const YAML::Node& m, ModelConfig& c) {
  if (!m || !m.IsMap()) r.fail(m, "model", "the executor needs a model: section");
  if (m["preset"])
    r.fail(m["preset"], "model.preset", "the executor needs the model spelled out",
           "replace the preset with its keys (deepsim validate FILE --print shows them)");
  for (const char* k : {"layers", "hidden", "vocab"}) r.require(m, "model", k);
  r.text(m, "model", "name", c.name);
  r.integer(m, "model", "layers", c.layers, 1, 65536);
  r.integer(m, "model", "hidden", c.hidden, 1, 1048576);
  r.integer(m, "model", "vocab", c.vocab, 2, 16777216);
  r.integer(m, "model", "dense_intermediate", c.dense_intermediate, 0, 4194304);
  r.integer(m, "model", "mtp_depth", c.mtp_depth, 0, 1);
  const YAML::Node a = m["attention"];
  if (!a) r.fail(m, "model.attention", "required by the executor");
  std::string kind = "mla";
  r.text(a, "model.attention", "kind", kind);
  if (kind != "mla" && kind != "MLA") r.fail(a["kind"], "model.attention.kind", "the executor runs mla only");
  for (const char* k : {"heads", "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim"})
    r.require(a, "model.attention", k);
  r.integer(a, "model.attention", "heads", c.heads, 1, 65536);
  r.integer(a, "model.attention", "q_lora_rank", c.q_lora_rank, 0, 65536);
  r.integer(a, "model.attention", "kv_lora_rank", c.kv_lora_rank, 1, 65536);
  r.integer(a, "model.attention", "qk_nope_head_dim", c.qk_nope, 1, 65536);
  r.integer(a, "model.attention", "qk_rope_head_dim", c.qk_rope, 2, 65536);
  r.integer(a, "model.attention", "v_head_dim", c.v_dim, 1, 65536);
  if (const YAML::Node moe = m["moe"]) {
    r.integer(moe, "model.moe", "routed_experts", c.routed_experts, 0, 1048576);
    r.integer(moe, "model.moe", "shared_experts", c.shared_experts, 0, 1024);
    r.integer(moe, "model.moe", "expert_intermediate", c.expert_intermediate, 0, 4194304);
    r.integer(moe, "model.moe", "top_k", c.top_k, 0, 4096);
    r.integer(moe, "model.moe", "expert_groups", c.expert_groups, 1, 65536);
    r.integer(moe, "model.moe", "limited_groups", c.limited_groups, 1, 65536);
    r.integer(moe, "model.moe", "first_dense_layers", c.first_dense_layers, 0, 1048576);
    r.integer(moe, "model.moe", "moe_layer_freq", c.moe_layer_freq, 1, 1024);
    r.boolean(moe, "model.moe", "router_bias", c.router_bias);
  }
}

void read_parallel_training(const Reader& r, const YAML::Node& root, ExecConfig& c) {
  if (const YAML::Node p = root["parallel"]) {
    r.integer(p, "parallel", "pp", c.parallel.pp, 1, 4096);
    r.integer(p, "parallel", "dp", c.parallel.dp, 1, 1048576);
    r.integer(p, "parallel", "tp", c.parallel.tp, 1, 1024);
    r.integer(p, "parallel", "ep", c.parallel.ep, 1, 1048576);
    r.integer(p, "parallel", "zero_stage", c.parallel.zero_stage, 0, 1);
    r.integer(p, "parallel", "micro_batch_size", c.parallel.micro_batch_size, 1, 65536);
    r.integer(p, "parallel", "micro_batches", c.parallel.micro_batches, 1, 1048576);
    r.text(p, "parallel", "schedule", c.parallel.schedule);
  }
  const YAML::Node t = root["training"];
  if (!t) r.fail(root, "training", "required (seq_len, global_batch, precision)");
  r.require(t, "training", "global_batch");
  r.integer(t, "training", "seq_len", c.training.seq_len, 1, 16777216);
  if (!t["seq_len"]) c.training.seq_len = 4096;
  r.integer(t, "training", "global_batch", c.training.global_batch, 1, 67108864);
  std::string prec = "fp8";
  r.text(t, "training", "precision", prec);
  if (prec == "fp8" || prec == "FP8") {
    c.training.precision = Precision::kFp8;
  } else if (prec == "bf16" || prec == "BF16") {
    c.training.precision = Precision::kBf16;
  } else {
    r.fail(t["precision"], "training.precision", "unknown value '" + prec + "'", "fp8 or bf16");
  }
}

void read_exec(const Reader& r, const YAML::Node& e, ExecOptions& o, float& route_scale) {
  if (!e) return;
  if (!e.IsMap()) r.fail(e, "exec", "expected a mapping");
  static const char* const kKeys[] = {"steps",        "seed",          "token_file",  "synthetic_noise", "lr",
                                      "warmup_steps", "weight_decay",  "beta1",       "beta2",           "adam_eps",
                                      "init_std",     "mtp_lambda",    "bias_update_speed", "debug_checks",
                                      "route_scale",  "expert_gemm"};
  for (const auto& kv : e) {
    const auto key = kv.first.as<std::string>();
    bool known = false;
    for (const char* k : kKeys) known = known || key == k;
    if (!known) r.fail(kv.first, "exec." + key, "unknown key '" + key + "' in 'exec'", "see docs/runtime.md");
  }
  r.integer(e, "exec", "steps", o.steps, 1, 100000000);
  if (const YAML::Node n = e["seed"]) o.seed = r.scalar<std::uint64_t>(n, "exec.seed");
  r.text(e, "exec", "token_file", o.token_file);
  r.number(e, "exec", "synthetic_noise", o.synthetic_noise, 0.0, 1.0);
  r.number(e, "exec", "lr", o.lr, 0.0, 10.0);
  r.integer(e, "exec", "warmup_steps", o.warmup_steps, 0, 100000000);
  r.number(e, "exec", "weight_decay", o.weight_decay, 0.0, 10.0);
  r.number(e, "exec", "beta1", o.beta1, 0.0, 1.0);
  r.number(e, "exec", "beta2", o.beta2, 0.0, 1.0);
  r.number(e, "exec", "adam_eps", o.adam_eps, 0.0, 1.0);
  r.number(e, "exec", "init_std", o.init_std, 1e-6, 10.0);
  r.number(e, "exec", "mtp_lambda", o.mtp_lambda, 0.0, 100.0);
  r.number(e, "exec", "bias_update_speed", o.bias_update_speed, 0.0, 1.0);
  r.boolean(e, "exec", "debug_checks", o.debug_checks);
  r.number(e, "exec", "route_scale", route_scale, 1e-6, 1e6);
  r.text(e, "exec", "expert_gemm", o.expert_gemm);
  if (o.expert_gemm != "grouped" && o.expert_gemm != "cublaslt-loop")
    r.fail(e["expert_gemm"], "exec.expert_gemm", "unknown value '" + o.expert_gemm + "'", "grouped or cublaslt-loop");
}

YAML::Node parse(const std::string& text, const std::string& name) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& ex) {
    throw ConfigError(name + ":" + std::to_string(ex.mark.line + 1) + ":" + std::to_string(ex.mark.column + 1) +
                      ": not valid YAML: " + ex.msg);
  }
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open the file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

bool ModelConfig::is_moe_layer(int layer) const {
  if (routed_experts == 0 || layer < first_dense_layers) return false;
  return (layer - first_dense_layers) % moe_layer_freq == 0;
}

const char* to_string(Precision p) { return p == Precision::kFp8 ? "fp8" : "bf16"; }

ExecConfig load_exec_config_text(const std::string& scenario_text, const std::string& exec_text,
                                 const std::string& display_name, const std::string& exec_display_name) {
  const Reader r{display_name};
  const YAML::Node root = parse(scenario_text, display_name);
  if (!root.IsMap()) throw ConfigError(display_name + ": expected a YAML mapping (a scenario)");
  ExecConfig c;
  c.source_file = display_name;
  c.scenario_yaml = scenario_text;
  int schema = 0;
  r.integer(root, "", "schema", schema, 1, 1);
  if (schema != 1) r.fail(root, "schema", "required: 1 (docs/scenario.md)");
  c.name = std::filesystem::path(display_name).stem().string();
  r.text(root, "", "name", c.name);
  if (const YAML::Node cl = root["cluster"]) {
    r.text(cl, "cluster", "gpu", c.gpu);
    r.integer(cl, "cluster", "nodes", c.nodes, 1, 1048576);
    r.integer(cl, "cluster", "gpus_per_node", c.gpus_per_node, 1, 1024);
  }
  read_model(r, root["model"], c.model);
  read_parallel_training(r, root, c);
  read_exec(r, root["exec"], c.exec, c.model.route_scale);
  if (!exec_text.empty()) {
    const Reader re{exec_display_name};
    const YAML::Node e = parse(exec_text, re.file);
    read_exec(re, e["exec"] ? e["exec"] : e, c.exec, c.model.route_scale);
  }
  validate_exec_config(c);
  return c;
}

ExecConfig load_exec_config(const std::string& path, const std::string& exec_path) {
  std::string exec_file = exec_path;
  if (exec_file.empty()) {
    std::filesystem::path sibling(path);
    sibling.replace_extension(".exec.yaml");
    if (std::filesystem::exists(sibling)) exec_file = sibling.string();
  }
  const std::string exec_text = exec_file.empty() ? std::string() : read_text(exec_file);
  return load_exec_config_text(read_text(path), exec_text, path, exec_file);
}

}  // namespace deepsim::runtime

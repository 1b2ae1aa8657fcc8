// The executor's configuration: a simulator scenario (schema 1, docs/scenario.md: model spelled out,
// parallel, training, cluster) plus executor-only keys (steps, seed, token file, optimiser). The scenario
// loader rejects unknown sections, so the executor-only keys live in a sibling file `<name>.exec.yaml`
// (or an `exec:` section, read when present) and the same scenario file drives a prediction and a
// measurement.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace deepsim::runtime {

// User-input error: file:line:column: key: message (hint: ...), like the simulator's InputError.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// DeepSeek-V3-architecture model (R8); every size in elements.
struct ModelConfig {
  std::string name = "custom";
  int layers = 0;
  int hidden = 0;
  int vocab = 0;
  int dense_intermediate = 0;  // FFN inner size of the first dense layers
  int heads = 0;
  int q_lora_rank = 0;         // 0: q projected directly from the hidden state
  int kv_lora_rank = 0;
  int qk_nope = 0;
  int qk_rope = 0;
  int v_dim = 0;
  int routed_experts = 0;      // 0: a dense model
  int shared_experts = 0;
  int expert_intermediate = 0;
  int top_k = 0;
  int expert_groups = 1;
  int limited_groups = 1;
  int first_dense_layers = 0;
  int moe_layer_freq = 1;
  bool router_bias = false;    // auxiliary-loss-free balancing bias (selection only)
  int mtp_depth = 0;           // 0 or 1 multi-token-prediction modules
  float route_scale = 2.5f;    // DeepSeek-V3 gate scaling (not a scenario key: exec.route_scale)

  [[nodiscard]] bool is_moe_layer(int layer) const;
  [[nodiscard]] int qk_head_dim() const { return qk_nope + qk_rope; }
};

struct ParallelConfig {
  int pp = 1;
  int dp = 1;
  int tp = 1;
  int ep = 1;               // drawn from the dp ranks of a stage; the executor supports ep = 1 or ep = dp
  int zero_stage = 1;
  int micro_batch_size = 1; // sequences per micro-batch
  int micro_batches = 1;    // per pipeline per step (gradient accumulation)
  std::string schedule = "1f1b";
  [[nodiscard]] int world_size() const { return pp * dp * tp; }
};

enum class Precision { kBf16, kFp8 };

struct TrainingConfig {
  int seq_len = 0;          // tokens per sequence
  int global_batch = 0;     // sequences per step
  Precision precision = Precision::kFp8;
};

// Executor-only keys (exec: section or <name>.exec.yaml).
struct ExecOptions {
  int steps = 10;
  std::uint64_t seed = 1;
  std::string token_file;          // binary little-endian uint32 tokens; empty: the synthetic source
  float synthetic_noise = 0.1f;    // synthetic source: probability a token ignores the bigram rule
  float lr = 1e-3f;                // peak learning rate
  int warmup_steps = 2;            // linear warm-up to lr, then constant
  float weight_decay = 0.1f;
  float beta1 = 0.9f;
  float beta2 = 0.95f;
  float adam_eps = 1e-8f;
  float init_std = 0.02f;          // normal init of every matrix (V3: 0.006 at full size)
  float mtp_lambda = 0.3f;         // weight of the MTP loss (TR 4.2: 0.3 early in training)
  float bias_update_speed = 1e-3f; // gamma of the aux-loss-free bias update (TR 4.2: 0.001)
  bool debug_checks = false;       // NaN/Inf check after every op (names layer and op)
  std::string expert_gemm = "grouped";  // FP8 expert GEMM: grouped (our kernel) or cublaslt-loop
};

struct ExecConfig {
  std::string name;
  std::string source_file;
  std::string scenario_yaml;  // the scenario text as loaded (empty for configs built in code)
  std::string gpu = "H100";
  int nodes = 1;
  int gpus_per_node = 1;
  ModelConfig model;
  ParallelConfig parallel;
  TrainingConfig training;
  ExecOptions exec;

  [[nodiscard]] long tokens_per_micro_batch() const {
    return static_cast<long>(parallel.micro_batch_size) * training.seq_len;
  }
  [[nodiscard]] long tokens_per_step() const { return static_cast<long>(training.global_batch) * training.seq_len; }
};

// Reads `path` (a scenario) and the executor keys from its `exec:` section, from `exec_path` when given,
// else from the sibling `<stem>.exec.yaml` when it exists (defaults otherwise). Throws ConfigError.
[[nodiscard]] ExecConfig load_exec_config(const std::string& path, const std::string& exec_path = {});
// The same from text (tests); `exec_text` may be empty.
[[nodiscard]] ExecConfig load_exec_config_text(const std::string& scenario_text, const std::string& exec_text,
                                               const std::string& display_name,
                                               const std::string& exec_display_name = "exec");

// Cross-field checks the executor needs beyond the scenario schema (tp = 1, ep in {1, dp}, 1F1B, ...).
void validate_exec_config(const ExecConfig& c);

[[nodiscard]] const char* to_string(Precision p);

}  // namespace deepsim::runtime

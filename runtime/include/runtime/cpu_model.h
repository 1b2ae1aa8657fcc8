// The CPU reference model: the whole DeepSeek-V3-architecture network (embedding, MLA + dense/MoE blocks,
// final norm, output head, cross-entropy, optional MTP depth 1) in FP32 storage with FP64 sums, forward and
// exact backward. It is the executor's ground truth: its gradients are checked against central finite
// differences, and `deepsim-exec --cpu-reference` trains tiny configurations with it.
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/config.h"
#include "runtime/param_layout.h"

namespace deepsim::runtime {

// One micro-batch: `sequences` rows of seq_len + 1 + mtp_depth tokens (inputs, then the shifted targets).
struct MicroBatchTokens {
  std::vector<std::int32_t> tokens;
  int sequences = 0;
  int seq_len = 0;
};

struct CpuLoss {
  double loss = 0.0;       // main + mtp_lambda * mtp
  double main = 0.0;       // mean next-token cross-entropy (nats)
  double mtp = 0.0;        // mean MTP cross-entropy (0 without MTP)
  std::vector<std::int32_t> routing;  // selected experts of every MoE layer, concatenated (tests: ties)
  std::vector<long> expert_load;      // [moe layer slot][routed_experts] tokens routed, for the bias update
};

class CpuModel {
 public:
  CpuModel(const ModelConfig& m, std::uint64_t seed, float init_std);

  [[nodiscard]] const ModelConfig& config() const { return m_; }
  [[nodiscard]] const ParamLayout& layout() const { return layout_; }
  [[nodiscard]] std::vector<float>* params() { return params_; }
  [[nodiscard]] std::vector<float>* grads() { return grads_; }
  void zero_grads();

  // Loss of one micro-batch; with `backward`, adds grad_weight * dLoss/dparam into grads().
  [[nodiscard]] CpuLoss forward_backward(const MicroBatchTokens& mb, float mtp_lambda, double grad_weight,
                                         bool backward);

  // Auxiliary-loss-free balancing (TR 2.1.2): bias_e += speed * sign(mean load - load_e) per MoE layer.
  void update_router_bias(const std::vector<long>& expert_load, float speed);
  [[nodiscard]] int moe_layer_slots() const { return static_cast<int>(moe_layers_.size()); }

 private:
  ModelConfig m_;
  ParamLayout layout_;
  std::vector<float> params_[kParamGroups];
  std::vector<float> grads_[kParamGroups];
  std::vector<int> moe_layers_;                   // layer ids (MTP included) that route
  std::vector<std::vector<float>> router_bias_;   // per moe_layers_ slot
};

}  // namespace deepsim::runtime

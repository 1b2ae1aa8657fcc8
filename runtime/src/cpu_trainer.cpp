// CPU reference training loop (see cpu_trainer.h).
#include "runtime/cpu_trainer.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "kernels/cpu_ref_layer.h"
#include "runtime/config_json.h"
#include "runtime/cpu_model.h"
#include "runtime/token_source.h"

namespace deepsim::runtime {

float learning_rate(const ExecOptions& e, int step) {
  if (e.warmup_steps <= 0 || step >= e.warmup_steps) return e.lr;
  return e.lr * static_cast<float>(step + 1) / static_cast<float>(e.warmup_steps);
}

MeasuredRun train_cpu_reference(const ExecConfig& c, int steps, const StepObserver& observer) {
  const int n_steps = steps > 0 ? steps : c.exec.steps;
  CpuModel model(c.model, c.exec.seed, c.exec.init_std);
  const TokenSource source(TokenSourceParams{c.model.vocab, c.exec.seed, c.exec.synthetic_noise, c.exec.token_file});
  std::vector<float> m_state[kParamGroups];
  std::vector<float> v_state[kParamGroups];
  for (int g = 0; g < kParamGroups; ++g) {
    m_state[g].assign(model.params()[g].size(), 0.f);
    v_state[g].assign(model.params()[g].size(), 0.f);
  }
  MeasuredRun run;
  run.mode = "cpu-reference";
  run.device.name = "cpu-reference";
  run.device.date = utc_now_iso8601();
  run.config = config_to_json(c);
  run.config_yaml = scenario_yaml(c);
  // Not a GPU: the CPU's hardware threads stand in for SMs so the file stays schema-valid; no catalog name.
  run.device.sms = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int accum = c.parallel.micro_batches * c.parallel.dp;
  const int row = c.training.seq_len + 1 + c.model.mtp_depth;
  for (int step = 0; step < n_steps; ++step) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto ns = [](std::chrono::steady_clock::time_point t) {
      return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
    };
    model.zero_grads();
    double loss = 0.0;
    std::vector<long> load;
    for (int dp = 0; dp < c.parallel.dp; ++dp)
      for (int mb = 0; mb < c.parallel.micro_batches; ++mb) {
        const MicroBatchTokens batch{source.batch(BatchAddress{step, mb, dp}, c.parallel.micro_batch_size, row),
                                     c.parallel.micro_batch_size, c.training.seq_len};
        const CpuLoss l = model.forward_backward(batch, c.exec.mtp_lambda, 1.0 / accum, true);
        loss += l.loss / accum;
        if (load.empty()) load.assign(l.expert_load.size(), 0);
        for (std::size_t i = 0; i < load.size(); ++i) load[i] += l.expert_load[i];
      }
    kernels::AdamWHyper h;
    h.lr = learning_rate(c.exec, step);
    h.beta1 = c.exec.beta1;
    h.beta2 = c.exec.beta2;
    h.eps = c.exec.adam_eps;
    h.weight_decay = c.exec.weight_decay;
    h.step = step + 1;
    for (int g = 0; g < kParamGroups; ++g)
      if (!model.params()[g].empty())
        kernels::adamw_reference(model.params()[g], model.grads()[g], m_state[g], v_state[g], h);
    model.update_router_bias(load, c.exec.bias_update_speed);
    const auto t1 = std::chrono::steady_clock::now();
    const double ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    const StepRecord rec{step, ms, c.tokens_per_step(), loss, ns(t0), ns(t1)};
    run.steps.push_back(rec);
    if (observer) observer(rec);
  }
  return run;
}

}  // namespace deepsim::runtime

#include "sim/moe/balancing_run.h"

#include <algorithm>

namespace deepsim {

std::vector<BalanceStepStats> run_balancing(MoeLoadModel& model, int steps, int micro_batches, int tokens_per_gpu,
                                            RoutingMode mode) {
  std::vector<BalanceStepStats> out;
  const double batches = static_cast<double>(micro_batches) * model.layers();
  for (int s = 0; s < steps; ++s) {
    BalanceStepStats st;
    st.step = model.step();
    for (int l = 0; l < model.layers(); ++l) {
      std::vector<double> step_load(static_cast<std::size_t>(model.shape().experts), 0.0);
      for (int mb = 0; mb < micro_batches; ++mb) {
        const RoutedBatch b = model.route(l, mb, tokens_per_gpu, mode);
        model.observe(l, b);
        for (std::size_t e = 0; e < step_load.size(); ++e) step_load[e] += b.expert_tokens[e];
        const double gpu = b.gpu_imbalance().ratio();
        st.gpu_max_over_mean += gpu / batches;
        st.worst_gpu_max_over_mean = std::max(st.worst_gpu_max_over_mean, gpu);
        st.node_max_over_mean += b.node_imbalance().ratio() / batches;
        st.mean_nodes_per_token += b.mean_nodes_per_token / batches;
      }
      st.expert_max_over_mean += imbalance(step_load).ratio() / model.layers();
    }
    model.end_step();
    out.push_back(st);
  }
  return out;
}

}  // namespace deepsim

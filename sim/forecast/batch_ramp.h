// The pre-training batch ramp as whole steps. The published ramp (DeepSeek-V3: 3072 -> 15360 sequences
// over the first 469B tokens, TR 4.2) is taken as linear in tokens trained:
//     b(tau) = b0 + (b1 - b0) * tau / T_r        for 0 <= tau < T_r, then b1.
// It is cut into K equal token intervals; interval k runs at the ramp's batch at its midpoint,
//     B_k = u * max(1, round(b((k + 1/2) T_r / K) / u)),
// with u = dp x micro_batch_size (a step gives every pipeline whole micro-batches). A step started in an
// interval runs at that interval's batch, so interval k takes n_k = ceil((end_k - tau) / (B_k L)) steps
// from the tokens tau already trained, and the tail after the ramp takes ceil((T - tau) / (b1 L)) steps
// of b1. Runs end on a whole step, so trained tokens exceed T by less than one step. As K grows the step
// count tends to the continuous ramp's  T_r / (L (b1 - b0)) * ln(b1 / b0)  plus the tail.
#pragma once

#include <cstdint>
#include <vector>

namespace deepsim {

struct RampInputs {
  double start_sequences = 0;  // b0; 0: no ramp
  double end_sequences = 0;    // b1 (training.global_batch)
  double ramp_tokens = 0;      // T_r
  double total_tokens = 0;     // T
  int seq_len = 0;             // L
  int levels = 1;              // K
  int unit_sequences = 1;      // u = dp x micro_batch_size
};

// Consecutive steps at one batch size.
struct BatchBlock {
  double batch_sequences = 0;
  std::int64_t steps = 0;
  double tokens = 0;  // steps x batch x seq_len
  int level = -1;     // ramp interval (first one, when neighbours with equal batches merge); -1 after it
};

// The blocks in training order; blocks with no steps are dropped and neighbours with equal batches merged.
[[nodiscard]] std::vector<BatchBlock> ramp_blocks(const RampInputs& in);

// Steps of the continuous linear ramp over T_r tokens (no rounding): T_r / (L (b1 - b0)) ln(b1 / b0).
[[nodiscard]] double continuous_ramp_steps(double b0, double b1, double ramp_tokens, int seq_len);

}  // namespace deepsim

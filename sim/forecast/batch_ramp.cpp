#include "sim/forecast/batch_ramp.h"

#include <algorithm>
#include <cmath>

#include "sim/core/error.h"

namespace deepsim {
namespace {

// Whole steps to cover `tokens` at `per_step` tokens a step. The small slack keeps 3.0000000001 (an
// artefact of dividing the ramp into K parts in floating point) from becoming 4 steps.
std::int64_t steps_for(double tokens, double per_step) {
  if (tokens <= 0) return 0;
  return static_cast<std::int64_t>(std::ceil(tokens / per_step - 1e-9));
}

void push(std::vector<BatchBlock>& out, double batch, std::int64_t steps, int seq_len, int level) {
  if (steps <= 0) return;
  const double tokens = static_cast<double>(steps) * batch * seq_len;
  // Neighbours merge only within the ramp or within the tail, so ramp steps stay countable.
  if (!out.empty() && out.back().batch_sequences == batch && (out.back().level < 0) == (level < 0)) {
    out.back().steps += steps;
    out.back().tokens += tokens;
    return;
  }
  out.push_back({batch, steps, tokens, level});
}

}  // namespace

std::vector<BatchBlock> ramp_blocks(const RampInputs& in) {
  DEEPSIM_ASSERT(in.seq_len > 0 && in.end_sequences > 0 && in.unit_sequences > 0 && in.levels > 0,
                 "ramp_blocks: seq_len, end batch, unit and levels must be positive");
  std::vector<BatchBlock> out;
  const double L = in.seq_len;
  const double u = in.unit_sequences;
  double trained = 0;
  const bool ramp = in.start_sequences > 0 && in.ramp_tokens > 0 && in.start_sequences < in.end_sequences;
  if (ramp) {
    const double ramp_end = std::min(in.ramp_tokens, in.total_tokens);
    for (int k = 0; k < in.levels; ++k) {
      const double mid = (k + 0.5) * in.ramp_tokens / in.levels;
      const double b = in.start_sequences + (in.end_sequences - in.start_sequences) * mid / in.ramp_tokens;
      const double batch = u * std::max(1.0, std::round(b / u));
      const double end = std::min(ramp_end, (k + 1.0) * in.ramp_tokens / in.levels);
      const std::int64_t n = steps_for(end - trained, batch * L);
      push(out, batch, n, in.seq_len, k);
      trained += static_cast<double>(n) * batch * L;
    }
  }
  push(out, in.end_sequences, steps_for(in.total_tokens - trained, in.end_sequences * L), in.seq_len, -1);
  return out;
}

double continuous_ramp_steps(double b0, double b1, double ramp_tokens, int seq_len) {
  if (b0 <= 0 || ramp_tokens <= 0) return 0;
  if (b0 == b1) return ramp_tokens / (b0 * seq_len);
  return ramp_tokens / (seq_len * (b1 - b0)) * std::log(b1 / b0);
}

}  // namespace deepsim

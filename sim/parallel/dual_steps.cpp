// dualpipe.py / dualpipev.py step(), rewritten as instruction emission. Step names follow the original:
// 1 nF0, 2 nF0F1, 3 nB1W1F1, 4 nF0B1F1B0 (main), 5 nB1F1B0, 6 nB1B0, 7 nWB0, 8 nW.
#include "sim/parallel/detail/dual_steps.h"

#include "sim/core/error.h"

namespace deepsim::detail {

Piece DualRank::next_forward(int phase) {
  const int c = chunk(phase);
  return {mb_offset_[static_cast<std::size_t>(c)] + forwards_[static_cast<std::size_t>(c)]++, c};
}

Piece DualRank::next_backward(int phase) {
  const int c = chunk(phase);
  return {mb_offset_[static_cast<std::size_t>(c)] + backwards_[static_cast<std::size_t>(c)]++, c};
}

void DualRank::backward(int phase, bool zero_bubble) {
  const Piece p = next_backward(phase);
  if (zero_bubble) {
    emit_.b_input(p.mb, p.chunk);
    weights_.push_back(p);
  } else {
    emit_.b_full(p.mb, p.chunk);
  }
}

void DualRank::forward_backward(int phase_f, int phase_b) {
  const Piece f = next_forward(phase_f);
  const Piece b = next_backward(phase_b);
  emit_.fb(f, b);
}

void DualRank::weight() {
  DEEPSIM_ASSERT(!weights_.empty(), "dualpipe W with no split backward queued");
  const Piece p = weights_.front();
  weights_.pop_front();
  emit_.w(p.mb, p.chunk);
}

namespace {

void warm_up(DualRank& d, int n, int i) {
  for (int k = 0; k < 2 * (n - i - 1); ++k) d.forward(0);  // step 1
  for (int k = 0; k < i + 1; ++k) {                         // step 2
    d.forward(0);
    d.forward(1);
  }
  for (int k = 0; k < n - i - 1; ++k) {                     // step 3, zero bubble
    d.backward(1, true);
    d.weight();
    d.forward(1);
  }
}

void cool_down(DualRank& d, int n, int i) {
  for (int k = 0; k < n - i - 1; ++k) {  // step 5
    d.backward(1, false);
    d.forward_backward(1, 0);
  }
  // Step 6: the second half of these backwards split off their W's (dualpipe.py switches at the middle
  // iteration, before or after the phase-1 backward depending on the parity of i).
  const int steps6 = i + 1;
  bool zero_bubble = false;
  for (int k = 0; k < steps6; ++k) {
    if (k == steps6 / 2 && i % 2 == 1) zero_bubble = true;
    d.backward(1, zero_bubble);
    if (k == steps6 / 2 && i % 2 == 0) zero_bubble = true;
    d.backward(0, zero_bubble);
  }
  for (int k = 0; k < n - i - 1; ++k) {  // step 7
    d.weight();
    d.backward(0, true);
  }
  for (int k = 0; k < i + 1; ++k) d.weight();  // step 8
}

}  // namespace

void emit_dual_steps(DualRank& d, int n, int i, int per_direction, bool unsplit_first_pair) {
  warm_up(d, n, i);
  const int main_steps = per_direction - 2 * n + i + 1;  // step 4
  DEEPSIM_ASSERT(main_steps >= 1, "dualpipe main step count must be positive");
  for (int k = 0; k < main_steps; ++k) {
    if (k == 0 && unsplit_first_pair) {
      d.forward(0);
      d.backward(1, false);
    } else {
      d.forward_backward(0, 1);
    }
    d.forward_backward(1, 0);
  }
  cool_down(d, n, i);
  DEEPSIM_ASSERT(!d.weights_pending(), "dualpipe step() left weight gradients queued");
}

}  // namespace deepsim::detail

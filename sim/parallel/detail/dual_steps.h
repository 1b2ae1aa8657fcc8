// The eight-step instruction order shared by DualPipe and DualPipeV (not a public API).
// dualpipe.py and dualpipev.py run the same step() with different counts: DualPipe on half-rank h of
// pp/2 with m/2 micro-batches per direction, DualPipeV on rank r of pp/2 with all m micro-batches.
// Writing it once keeps the two generators from drifting apart.
#pragma once

#include <array>
#include <deque>

#include "sim/parallel/detail/schedule_builder.h"

namespace deepsim::detail {

// One rank's view: dualpipe.py's "phase" (0 or 1) maps to a chunk, flipped on DualPipe's second half of
// ranks, and each chunk numbers its micro-batches from an offset (DualPipe's reverse direction owns
// micro-batches m/2..m-1).
class DualRank {
 public:
  DualRank(Schedule& s, int rank, bool flip, std::array<int, 2> mb_offset)
      : emit_(s, rank), flip_(flip), mb_offset_(mb_offset) {}

  void forward(int phase) {
    const Piece p = next_forward(phase);
    emit_.f(p.mb, p.chunk);
  }
  // zero_bubble: split B from W and queue the W (dualpipe.py's WeightGradStore, FIFO).
  void backward(int phase, bool zero_bubble);
  void forward_backward(int phase_f, int phase_b);
  void weight();
  [[nodiscard]] bool weights_pending() const { return !weights_.empty(); }

 private:
  [[nodiscard]] int chunk(int phase) const { return phase ^ static_cast<int>(flip_); }
  Piece next_forward(int phase);
  Piece next_backward(int phase);

  RankEmitter emit_;
  bool flip_;
  std::array<int, 2> mb_offset_;
  std::array<int, 2> forwards_{0, 0};
  std::array<int, 2> backwards_{0, 0};
  std::deque<Piece> weights_;
};

// Emits dualpipe(v).py step() for one rank. n: ranks per half (DualPipe) or ranks (DualPipeV); i: the
// half rank h or the rank; per_direction: micro-batches per direction (m/2) or all of them (m);
// unsplit_first_pair: the middle ranks (DualPipe) or last rank (DualPipeV), which run the first main-step
// pair as a separate F and B "to further reduce bubble size" (dualpipe.py).
void emit_dual_steps(DualRank& d, int n, int i, int per_direction, bool unsplit_first_pair);

}  // namespace deepsim::detail

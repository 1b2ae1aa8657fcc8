// Schedule: a pipeline schedule as per-rank instruction lists, the output of every generator in
// schedules.h and the input of the checker (schedule_check.h) and the executor (schedule_graph.h).
//
// Vocabulary (docs/pipeline.md):
//  - A *stage* is one slice of the model's layers; a micro-batch's forward visits the stages of its
//    *route* in order and its backward visits them in reverse.
//  - A *chunk* is a stage as held by one rank: rank r's chunk c. 1F1B ranks hold one chunk; interleaved
//    ranks hold v; DualPipe ranks hold two (stage r of the forward-direction model copy and stage PP-1-r
//    of the reverse copy); DualPipeV ranks hold two stages of one copy (the V: down, then back up).
//  - A *piece* is (micro-batch, chunk): the unit of work an instruction refers to.
// Sends are asynchronous (they never block their rank); a receive blocks its rank until the matching
// send has finished, which is how cross-rank dependencies enter an in-order execution.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "sim/parallel/parallel_spec.h"

namespace deepsim {

enum class PipeOp : std::uint8_t {
  kForward,          // F
  kBackward,         // full backward (input and weight gradients), for schedules that do not split
  kBackwardInput,    // B: gradient for the input only (zero-bubble split); its W comes later
  kBackwardWeight,   // W: gradient for the weights of a piece whose B is done
  kForwardBackward,  // F&B: F of `piece` overlapped with the full backward of `other` (DualPipe)
  kSendActivation,   // F output of `piece` to `peer`
  kRecvActivation,   // F input of `piece` from `peer`
  kSendGradient,     // input gradient of `piece` (from its backward) to `peer`
  kRecvGradient,     // output gradient that the backward of `piece` needs, from `peer`
};

[[nodiscard]] const char* to_string(PipeOp op);
[[nodiscard]] bool is_compute(PipeOp op);

struct Piece {
  int mb = -1;     // micro-batch, 0-based, unique across both directions of DualPipe
  int chunk = -1;  // chunk index on the rank that runs the instruction
  constexpr auto operator<=>(const Piece&) const = default;
};

struct Instr {
  PipeOp op = PipeOp::kForward;
  Piece piece;      // the piece computed (compute), or this rank's end of a transfer (send/receive)
  Piece other;      // F&B only: the piece whose backward is overlapped with the forward of `piece`
  int peer = -1;    // send/receive only: the other rank

  constexpr bool operator==(const Instr&) const = default;
};

// Where a stage lives.
struct Loc {
  int rank = -1;
  int chunk = -1;
  constexpr bool operator==(const Loc&) const = default;
};

// The stages one micro-batch visits, with the reverse lookup (rank, chunk) -> position.
class Route {
 public:
  Route(std::vector<Loc> stages, int ranks, int chunks_per_rank);
  [[nodiscard]] int size() const { return static_cast<int>(stages_.size()); }
  [[nodiscard]] const Loc& at(int position) const { return stages_[static_cast<std::size_t>(position)]; }
  // -1 when this route does not visit (rank, chunk).
  [[nodiscard]] int position(int rank, int chunk) const;

 private:
  std::vector<Loc> stages_;
  std::vector<int> position_;  // [rank * chunks_per_rank + chunk]
  int chunks_per_rank_ = 1;
};

struct Schedule {
  ScheduleKind kind = ScheduleKind::k1F1B;
  int pp = 1;               // PP as in reference R16's table: stages per model copy (DualPipeV: 2 x ranks)
  int ranks = 1;            // pipeline ranks (devices)
  int chunks_per_rank = 1;  // model chunks each rank holds
  int micro_batches = 1;
  std::vector<Route> routes;            // distinct routes (DualPipe: one per direction)
  std::vector<int> route_of_mb;         // micro-batch -> index into routes
  std::vector<std::vector<Instr>> program;  // per rank, in issue order

  [[nodiscard]] const Route& route(int mb) const {
    return routes[static_cast<std::size_t>(route_of_mb[static_cast<std::size_t>(mb)])];
  }
  // Size of one chunk in units of one stage of a pp-stage split (interleaved: 1/v; others: 1). Converts
  // chunk counts into the activation and parameter factors of R16.
  [[nodiscard]] double chunk_weight() const;
};

// Inserts the receives and sends that the compute instructions need: each receive immediately before
// its consumer, each send immediately after its producer, F&B's two of each around the pair (forward
// first, as dualpipe.py posts them). Hops between chunks of one rank (DualPipeV's turn) need none.
void add_p2p(Schedule& s);

// One pipeline transfer: (gradient?, micro-batch, position of the sending stage on the route). A send
// and its matching receive map to the same key.
using HopKey = std::tuple<bool, int, int>;
[[nodiscard]] HopKey hop_of(const Schedule& s, int rank, const Instr& in);

// Compact one-line-per-rank listing of compute instructions ("r0: F0 F1 B0 W0 ..."), for docs and test
// failure messages. Chunks appear as a suffix (F3.1 = forward of micro-batch 3, chunk 1) when a rank
// holds more than one; F&B pairs as "F3|B1"; full backwards as "B", split ones as "b" and "W".
[[nodiscard]] std::string render_order(const Schedule& s);

}  // namespace deepsim

#include "sim/parallel/schedule.h"

#include <sstream>
#include <utility>

#include "sim/core/error.h"

namespace deepsim {

const char* to_string(PipeOp op) {
  switch (op) {
    case PipeOp::kForward: return "F";
    case PipeOp::kBackward: return "B";
    case PipeOp::kBackwardInput: return "b";
    case PipeOp::kBackwardWeight: return "W";
    case PipeOp::kForwardBackward: return "F&B";
    case PipeOp::kSendActivation: return "send-act";
    case PipeOp::kRecvActivation: return "recv-act";
    case PipeOp::kSendGradient: return "send-grad";
    case PipeOp::kRecvGradient: return "recv-grad";
  }
  return "?";
}

bool is_compute(PipeOp op) {
  switch (op) {
    case PipeOp::kForward:
    case PipeOp::kBackward:
    case PipeOp::kBackwardInput:
    case PipeOp::kBackwardWeight:
    case PipeOp::kForwardBackward: return true;
    default: return false;
  }
}

Route::Route(std::vector<Loc> stages, int ranks, int chunks_per_rank)
    : stages_(std::move(stages)),
      position_(static_cast<std::size_t>(ranks * chunks_per_rank), -1),
      chunks_per_rank_(chunks_per_rank) {
  for (int p = 0; p < size(); ++p) {
    const Loc& l = at(p);
    DEEPSIM_ASSERT(l.rank >= 0 && l.rank < ranks && l.chunk >= 0 && l.chunk < chunks_per_rank,
                   "route stage outside the ranks x chunks grid");
    auto& slot = position_[static_cast<std::size_t>(l.rank * chunks_per_rank + l.chunk)];
    DEEPSIM_ASSERT(slot == -1, "a route visits one (rank, chunk) twice");
    slot = p;
  }
}

int Route::position(int rank, int chunk) const {
  const int i = rank * chunks_per_rank_ + chunk;
  if (rank < 0 || chunk < 0 || chunk >= chunks_per_rank_ || i >= static_cast<int>(position_.size())) return -1;
  return position_[static_cast<std::size_t>(i)];
}

double Schedule::chunk_weight() const {
  // Every route covers one model copy in routes[0].size() stages; a table stage is 1/pp of it.
  return static_cast<double>(pp) / static_cast<double>(routes.front().size());
}

namespace {

// Receives that must precede the computation of `piece` on `rank` (forward and/or backward input).
void emit_recv(const Schedule& s, int rank, Piece piece, bool backward, std::vector<Instr>& out) {
  const Route& r = s.route(piece.mb);
  const int pos = r.position(rank, piece.chunk);
  const int from = backward ? pos + 1 : pos - 1;
  if (from < 0 || from >= r.size() || r.at(from).rank == rank) return;
  out.push_back({backward ? PipeOp::kRecvGradient : PipeOp::kRecvActivation, piece, {}, r.at(from).rank});
}

void emit_send(const Schedule& s, int rank, Piece piece, bool backward, std::vector<Instr>& out) {
  const Route& r = s.route(piece.mb);
  const int pos = r.position(rank, piece.chunk);
  const int to = backward ? pos - 1 : pos + 1;
  if (to < 0 || to >= r.size() || r.at(to).rank == rank) return;
  out.push_back({backward ? PipeOp::kSendGradient : PipeOp::kSendActivation, piece, {}, r.at(to).rank});
}

}  // namespace

void add_p2p(Schedule& s) {
  for (int rank = 0; rank < s.ranks; ++rank) {
    std::vector<Instr> out;
    for (const Instr& in : s.program[static_cast<std::size_t>(rank)]) {
      DEEPSIM_ASSERT(is_compute(in.op), "add_p2p expects compute instructions only");
      const bool fwd = in.op == PipeOp::kForward || in.op == PipeOp::kForwardBackward;
      const bool bwd = in.op == PipeOp::kBackward || in.op == PipeOp::kBackwardInput;
      if (fwd) emit_recv(s, rank, in.piece, false, out);
      if (bwd) emit_recv(s, rank, in.piece, true, out);
      if (in.op == PipeOp::kForwardBackward) emit_recv(s, rank, in.other, true, out);
      out.push_back(in);
      if (fwd) emit_send(s, rank, in.piece, false, out);
      if (bwd) emit_send(s, rank, in.piece, true, out);
      if (in.op == PipeOp::kForwardBackward) emit_send(s, rank, in.other, true, out);
    }
    s.program[static_cast<std::size_t>(rank)] = std::move(out);
  }
}

std::string render_order(const Schedule& s) {
  std::ostringstream os;
  auto piece = [&](const Piece& p) {
    os << p.mb;
    if (s.chunks_per_rank > 1) os << '.' << p.chunk;
  };
  for (int rank = 0; rank < s.ranks; ++rank) {
    os << 'r' << rank << ':';
    for (const Instr& in : s.program[static_cast<std::size_t>(rank)]) {
      if (!is_compute(in.op)) continue;
      os << ' ';
      if (in.op == PipeOp::kForwardBackward) {
        os << 'F';
        piece(in.piece);
        os << "|B";
        piece(in.other);
      } else {
        os << to_string(in.op);
        piece(in.piece);
      }
    }
    os << '\n';
  }
  return os.str();
}

HopKey hop_of(const Schedule& s, int rank, const Instr& in) {
  const bool grad = in.op == PipeOp::kSendGradient || in.op == PipeOp::kRecvGradient;
  const bool send = in.op == PipeOp::kSendActivation || in.op == PipeOp::kSendGradient;
  const int pos = s.route(in.piece.mb).position(rank, in.piece.chunk);
  return {grad, in.piece.mb, send ? pos : pos + (grad ? 1 : -1)};
}

}  // namespace deepsim

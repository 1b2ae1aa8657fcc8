#include "sim/parallel/schedule_check.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

namespace deepsim {

namespace {

// A transfer is named by what moves and from which stage: (gradient?, micro-batch, sending position).
using HopKey = std::tuple<bool, int, int>;

std::string where(int rank, std::size_t index, const Instr& in) {
  std::ostringstream os;
  os << "rank " << rank << " instruction " << index << " (" << to_string(in.op) << " mb " << in.piece.mb
     << " chunk " << in.piece.chunk << ")";
  return os.str();
}

// Per (micro-batch, position): the list index of each phase on its rank, -1 until seen.
struct PieceState {
  int forward = -1;
  int backward = -1;  // input backward (full, split or F&B half)
  int weight = -1;
  bool split = false;
};

class PieceTable {
 public:
  explicit PieceTable(const Schedule& s) : s_(s), width_(0) {
    for (const Route& r : s.routes) width_ = std::max(width_, r.size());
    states_.resize(static_cast<std::size_t>(s.micro_batches * width_));
  }
  // Position of `p` on `rank`, or -1 if the rank does not hold it.
  [[nodiscard]] int position(int rank, Piece p) const {
    if (p.mb < 0 || p.mb >= s_.micro_batches) return -1;
    return s_.route(p.mb).position(rank, p.chunk);
  }
  PieceState& at(int mb, int pos) { return states_[static_cast<std::size_t>(mb * width_ + pos)]; }

 private:
  const Schedule& s_;
  int width_;
  std::vector<PieceState> states_;
};

// Records one compute phase; returns what is wrong with it, or null. The caller names the instruction
// only when something is wrong (formatting it for every instruction was most of a plan search's checks).
const char* record(PieceTable& t, int rank, int idx, PipeOp phase, Piece p) {
  const int pos = t.position(rank, p);
  if (pos < 0) return "rank does not hold this piece";
  PieceState& st = t.at(p.mb, pos);
  if (phase == PipeOp::kForward) {
    if (st.forward >= 0) return "second forward";
    st.forward = idx;
  } else if (phase == PipeOp::kBackwardWeight) {
    if (st.backward < 0 || !st.split) return "W before its split backward";
    if (st.weight >= 0) return "second W";
    st.weight = idx;
  } else {
    if (st.forward < 0) return "backward before its forward";
    if (st.backward >= 0) return "second backward";
    st.backward = idx;
    st.split = phase == PipeOp::kBackwardInput;
  }
  return nullptr;
}

std::string check_pieces(const Schedule& s) {
  if (static_cast<int>(s.program.size()) != s.ranks) return "program has the wrong number of ranks";
  PieceTable t(s);
  for (int r = 0; r < s.ranks; ++r) {
    const auto& list = s.program[static_cast<std::size_t>(r)];
    for (std::size_t i = 0; i < list.size(); ++i) {
      const Instr& in = list[i];
      const int idx = static_cast<int>(i);
      if (in.op == PipeOp::kForwardBackward) {
        if (const char* err = record(t, r, idx, PipeOp::kForward, in.piece)) return where(r, i, in) + ": " + err;
        if (const char* err = record(t, r, idx, PipeOp::kBackward, in.other))
          return where(r, i, in) + " backward half: " + err;
      } else if (is_compute(in.op)) {
        if (const char* err = record(t, r, idx, in.op == PipeOp::kBackward ? PipeOp::kBackward : in.op, in.piece))
          return where(r, i, in) + ": " + err;
      } else if (t.position(r, in.piece) < 0) {
        return where(r, i, in) + ": rank does not hold this piece";
      }
    }
  }
  for (int mb = 0; mb < s.micro_batches; ++mb) {
    for (int pos = 0; pos < s.route(mb).size(); ++pos) {
      const PieceState& st = t.at(mb, pos);
      const auto id = [&] { return "mb " + std::to_string(mb) + " stage position " + std::to_string(pos); };
      if (st.forward < 0 || st.backward < 0) return id() + ": missing forward or backward";
      if (st.split != (st.weight >= 0)) return id() + ": split backward without W";
    }
  }
  return {};
}

// Where each transfer's producer and consumer sit: (rank, list index).
struct Hop {
  bool used = false;
  int from_rank = -1, producer = -1, to_rank = -1, consumer = -1;
  int sends = 0, recvs = 0;
};

// The hops of a schedule, indexed by HopKey in a flat table whose order is HopKey's (gradient last,
// then micro-batch, then position), so reports come out in the order a std::map would give.
class HopTable {
 public:
  explicit HopTable(const Schedule& s) : mbs_(s.micro_batches) {
    for (const Route& r : s.routes) width_ = std::max(width_, r.size());
    hops_.resize(static_cast<std::size_t>(2 * mbs_ * width_));
  }
  // Null when the key names no position of the table (a stage before the first or after the last).
  [[nodiscard]] Hop* find(bool grad, int mb, int pos) {
    if (mb < 0 || mb >= mbs_ || pos < 0 || pos >= width_) return nullptr;
    return &hops_[index(grad, mb, pos)];
  }
  [[nodiscard]] Hop& at(bool grad, int mb, int pos) { return hops_[index(grad, mb, pos)]; }
  [[nodiscard]] HopKey key_of(std::size_t i) const {
    const auto w = static_cast<std::size_t>(width_), m = static_cast<std::size_t>(mbs_);
    return {i / (w * m) != 0, static_cast<int>(i / w % m), static_cast<int>(i % w)};
  }
  [[nodiscard]] std::vector<Hop>& all() { return hops_; }

 private:
  [[nodiscard]] std::size_t index(bool grad, int mb, int pos) const {
    return (static_cast<std::size_t>(grad ? 1 : 0) * static_cast<std::size_t>(mbs_) + static_cast<std::size_t>(mb)) *
               static_cast<std::size_t>(width_) +
           static_cast<std::size_t>(pos);
  }
  int mbs_;
  int width_ = 0;
  std::vector<Hop> hops_;
};

// Index of the compute instruction that produces or consumes each cross-rank hop.
void collect_hops(const Schedule& s, HopTable& hops) {
  for (int r = 0; r < s.ranks; ++r) {
    const auto& list = s.program[static_cast<std::size_t>(r)];
    for (std::size_t i = 0; i < list.size(); ++i) {
      const Instr& in = list[i];
      const int idx = static_cast<int>(i);
      auto touch = [&](Piece p, bool grad, bool produce) {
        const Route& route = s.route(p.mb);
        const int pos = route.position(r, p.chunk);
        const int other = pos + ((grad == produce) ? -1 : 1);
        if (other < 0 || other >= route.size() || route.at(other).rank == r) return;
        Hop& h = hops.at(grad, p.mb, produce ? pos : other);
        h.used = true;
        (produce ? h.from_rank : h.to_rank) = r;
        (produce ? h.producer : h.consumer) = idx;
      };
      const bool fwd = in.op == PipeOp::kForward || in.op == PipeOp::kForwardBackward;
      const bool bwd = in.op == PipeOp::kBackward || in.op == PipeOp::kBackwardInput;
      if (fwd) {
        touch(in.piece, false, false);
        touch(in.piece, false, true);
      }
      if (bwd) {
        touch(in.piece, true, false);
        touch(in.piece, true, true);
      }
      if (in.op == PipeOp::kForwardBackward) {
        touch(in.other, true, false);
        touch(in.other, true, true);
      }
    }
  }
}

std::string check_p2p(const Schedule& s) {
  HopTable hops(s);
  collect_hops(s, hops);
  for (int r = 0; r < s.ranks; ++r) {
    const auto& list = s.program[static_cast<std::size_t>(r)];
    for (std::size_t i = 0; i < list.size(); ++i) {
      const Instr& in = list[i];
      if (is_compute(in.op)) continue;
      const bool grad = in.op == PipeOp::kSendGradient || in.op == PipeOp::kRecvGradient;
      const bool send = in.op == PipeOp::kSendActivation || in.op == PipeOp::kSendGradient;
      const int pos = s.route(in.piece.mb).position(r, in.piece.chunk);
      const int from = send ? pos : pos + (grad ? 1 : -1);
      Hop* found = hops.find(grad, in.piece.mb, from);
      if (found == nullptr || !found->used) return where(r, i, in) + ": no cross-rank hop to carry";
      Hop& h = *found;
      const int idx = static_cast<int>(i);
      if (in.peer != (send ? h.to_rank : h.from_rank)) return where(r, i, in) + ": wrong peer";
      if (send && idx < h.producer) return where(r, i, in) + ": send before its producer";
      if (!send && idx > h.consumer) return where(r, i, in) + ": receive after its consumer";
      ++(send ? h.sends : h.recvs);
    }
  }
  const std::vector<Hop>& all = hops.all();
  for (std::size_t k = 0; k < all.size(); ++k) {
    const Hop& h = all[k];
    if (h.used && (h.sends != 1 || h.recvs != 1)) {
      const HopKey key = hops.key_of(k);
      return std::string(std::get<0>(key) ? "gradient" : "activation") + " of mb " +
             std::to_string(std::get<1>(key)) + " from stage position " + std::to_string(std::get<2>(key)) +
             ": needs exactly one send and one receive";
    }
  }
  return {};
}

void measure_memory(const Schedule& s, ScheduleCheck& out) {
  std::set<std::pair<int, int>> held;  // (rank, chunk)
  for (const Route& route : s.routes) {
    for (int p = 0; p < route.size(); ++p) held.insert({route.at(p).rank, route.at(p).chunk});
  }
  for (int r = 0; r < s.ranks; ++r) {
    int live = 0, peak = 0, pairs = 0, forwards = 0;
    for (const Instr& in : s.program[static_cast<std::size_t>(r)]) {
      if (in.op == PipeOp::kForward || in.op == PipeOp::kForwardBackward) peak = std::max(peak, ++live);
      if (in.op == PipeOp::kBackward || in.op == PipeOp::kBackwardInput || in.op == PipeOp::kForwardBackward) --live;
      pairs += in.op == PipeOp::kForwardBackward ? 1 : 0;
      forwards += in.op == PipeOp::kForward ? 1 : 0;
    }
    const auto chunks = std::count_if(held.begin(), held.end(), [r](const auto& h) { return h.first == r; });
    out.peak_activations.push_back(peak);
    out.activation_factor.push_back(peak * s.chunk_weight());
    out.parameter_factor.push_back(static_cast<double>(chunks) * s.chunk_weight());
    out.forward_backward_pairs.push_back(pairs);
    out.forwards.push_back(forwards);
  }
}

}  // namespace

Result<ScheduleCheck> check_schedule(const Schedule& s) {
  if (s.ranks < 1 || s.micro_batches < 1 || s.routes.empty() ||
      static_cast<int>(s.route_of_mb.size()) != s.micro_batches) {
    return PlanError{"schedule header is inconsistent (ranks, micro-batches, routes)"};
  }
  if (std::string err = check_pieces(s); !err.empty()) return PlanError{err};
  if (std::string err = check_p2p(s); !err.empty()) return PlanError{err};
  if (auto run = simulate_in_order(s, StageCosts{}); !run) return PlanError{run.error()};
  ScheduleCheck out;
  measure_memory(s, out);
  return out;
}

}  // namespace deepsim

#include "sim/step/step_graph.h"

#include <string>
#include <unordered_map>

#include "sim/core/error.h"
#include "sim/step/task_info.h"
#include "sim/core/rng.h"

namespace deepsim {
namespace {

// One item of a chunk's chain: compute (on the compute stream) or an all-to-all (on the comm stream).
struct Item {
  bool comm = false;
  Time duration;
  StepCategory category = StepCategory::kOther;
  std::string label;
  // A side item (a weight gradient) depends on the item before it, but the chain goes on without
  // waiting for it: it fills the compute stream where the chain waits on an all-to-all (DualPipe's
  // ordering of W in Figure 4 of the TR). The instruction ends when its side items have too.
  bool side = false;
  // All-to-all items: which one, so the members of an EP group can share a barrier (full fidelity).
  int stage = -1, layer_index = -1, mb = -1;
  bool backward = false, dispatch = false;
  std::uint32_t label_id = 0;  // interned by chain_of()
  // For traces: the op, its model layer and FLOPs (StepTaskInfo).
  StepOp op = StepOp::kNone;
  int layer = -1;
  Flops flops{};
};

struct Chain {
  TaskId first;
  TaskId last;
  std::vector<TaskId> side;
};

enum class Part { kForward, kBackward, kBackwardInput, kWeight };

Flops flops_of(const SegmentFlops& f, Part part) {
  switch (part) {
    case Part::kForward: return f.forward;
    case Part::kBackward: return f.backward_input + f.backward_weight;
    case Part::kBackwardInput: return f.backward_input;
    case Part::kWeight: return f.backward_weight;
  }
  return Flops{};
}

// Keys of the builder's lookups: small structs of ints hashed with mix64. A full-fidelity build looks
// one up per task of every replica; ordered maps of tuples made that a chain of cache misses.
template <std::size_t N>
struct IntKey {
  std::array<std::int64_t, N> v{};
  bool operator==(const IntKey&) const = default;
};
struct IntKeyHash {
  template <std::size_t N>
  std::size_t operator()(const IntKey<N>& k) const {
    std::uint64_t h = N;
    for (const std::int64_t x : k.v) h = mix64(h ^ static_cast<std::uint64_t>(x));
    return static_cast<std::size_t>(h);
  }
};
template <std::size_t N, class V>
using IntMap = std::unordered_map<IntKey<N>, V, IntKeyHash>;

IntKey<4> hop_key(int replica, const HopKey& h) {
  return {{replica, std::get<0>(h) ? 1 : 0, std::get<1>(h), std::get<2>(h)}};
}

Time pass_of(const SegmentTime& s, Part part) {
  switch (part) {
    case Part::kForward: return s.forward;
    case Part::kBackward: return s.backward();
    case Part::kBackwardInput: return s.backward_input;
    case Part::kWeight: return s.backward_weight;
  }
  return Time::zero();
}

WallPart wall_part_of(PipeOp op) {
  switch (op) {
    case PipeOp::kForward: return WallPart::kForward;
    case PipeOp::kBackward:
    case PipeOp::kBackwardInput: return WallPart::kBackward;
    case PipeOp::kBackwardWeight: return WallPart::kWeight;
    case PipeOp::kForwardBackward: return WallPart::kOverlapped;
    default: break;
  }
  DEEPSIM_ASSERT(false, "not a compute instruction");
  return WallPart::kBubble;
}

class Builder {
 public:
  Builder(const Schedule& s, const StepInputs& in) : s_(s), in_(in) {}

  StepGraph build() {
    for (replica_ = 0; replica_ < in_.replicas; ++replica_) {
      for (int r = 0; r < s_.ranks; ++r) {
        const int gpu = gpu_of(r);
        const StreamId c = g_.graph.add_stream("gpu" + std::to_string(gpu) + "/compute");
        const StreamId m = g_.graph.add_stream("gpu" + std::to_string(gpu) + "/comm");
        streams_.push_back({c, m});
        if (replica_ == 0) g_.rank_streams.push_back({c, m});
        if (replica_ == 0) g_.instr_part.emplace_back();
        if (in_.gpu_sms > 0) g_.graph.set_gpu_sms(gpu, in_.gpu_sms);
      }
    }
    for (replica_ = 0; replica_ < in_.replicas; ++replica_) {
      for (int r = 0; r < s_.ranks; ++r) build_rank(r);
    }
    for (const auto& [key, waiter] : recvs_) {
      auto it = sends_.find(hop_key(key.first, key.second));
      DEEPSIM_ASSERT(it != sends_.end(), "a receive has no matching send");
      g_.graph.add_dep(it->second, waiter);
    }
    return std::move(g_);
  }

 private:
  [[nodiscard]] int gpu_of(int rank) const {
    const auto r = static_cast<std::size_t>(rank);
    return replica_ == 0 ? in_.rank_gpu[r] : in_.replica_gpu[static_cast<std::size_t>(replica_)][r];
  }
  [[nodiscard]] int group_of() const {
    return replica_ == 0 || in_.replica_group.empty() ? 0 : in_.replica_group[static_cast<std::size_t>(replica_)];
  }

  // Labels repeat across micro-batches and replicas; intern them so a full-fidelity graph stays small.
  // Labels are built per chain (cached below) and per send label, not per task.
  std::uint32_t label(const std::string& text) {
    auto [it, fresh] = labels_.try_emplace(text, 0);
    if (fresh) it->second = g_.graph.add_label(text);
    return it->second;
  }

  void note(StepPhase phase, int rank, const StepTaskInfo& info = {}) {
    g_.phase.push_back(phase);
    g_.rank_of_task.push_back(replica_ == 0 ? rank : -1);  // metrics describe replica 0
    g_.info.push_back(info);
    g_.instr_of_task.push_back(replica_ == 0 && rank >= 0 ? instr_ : -1);
  }

  // Opens instruction `part` of `rank` (replica 0 records it): the tasks noted until end_instr() are its.
  void begin_instr(int rank, WallPart part) {
    if (replica_ != 0) return;
    auto& parts = g_.instr_part[static_cast<std::size_t>(rank)];
    instr_ = static_cast<std::int32_t>(parts.size());
    parts.push_back(part);
  }
  void end_instr() { instr_ = -1; }

  TaskId add(int rank, const Item& item, StepPhase phase) {
    const int gpu = gpu_of(rank);
    const auto& streams = streams_[static_cast<std::size_t>(replica_ * s_.ranks + rank)];
    const TaskId t = g_.graph.add_compute(item.comm ? streams[1] : streams[0], item.duration, item.label_id, gpu,
                                          static_cast<std::uint32_t>(item.category));
    if (item.comm && in_.comm_sms > 0) g_.graph.set_comm_sms(t, in_.comm_sms);
    note(phase, rank, {item.op, item.layer, item.mb, item.stage, chunk_, item.flops, Bytes{}});
    return t;
  }

  // The barrier an all-to-all of an EP group waits on: every member replica's predecessor.
  TaskId barrier(const Item& it, int rank) {
    const IntKey<6> key{{group_of(), it.stage, it.layer_index, it.mb, it.backward ? 1 : 0, it.dispatch ? 1 : 0}};
    auto [pos, fresh] = barriers_.try_emplace(key, TaskId{});
    if (fresh) {
      pos->second = g_.graph.add_delay(Time::zero());
      note(StepPhase::kSteady, -1);
    }
    (void)rank;
    return pos->second;
  }

  // The chain of items of one chunk (stage) for one micro-batch.
  // chain() with labels interned, cached per (EP group, stage, micro-batch, part): replicas of one EP
  // group share their chains, which keeps a full-fidelity build linear in tasks, not in string work.
  const std::vector<Item>& chain_of(int stage, int mb, Part part) {
    const IntKey<4> key{{group_of(), stage, mb, static_cast<int>(part)}};
    auto it = chains_.find(key);
    if (it != chains_.end()) return it->second;
    std::vector<Item> items = chain(stage, mb, part);
    for (Item& item : items) item.label_id = label(item.label);
    return chains_.emplace(key, std::move(items)).first->second;
  }

  std::vector<Item> chain(int stage, int mb, Part part) const {
    const StageCost& st = in_.stages[static_cast<std::size_t>(stage)];
    const std::string tag = "mb" + std::to_string(mb) + " s" + std::to_string(stage);
    std::vector<Item> items;
    auto compute = [&](Time t, StepCategory c, const std::string& what, StepOp op, int layer, Flops f) {
      if (t <= Time::zero()) return;
      Item it{false, t, c, what + " " + tag};
      it.stage = stage;
      it.mb = mb;
      it.op = op;
      it.layer = layer;
      it.flops = f;
      items.push_back(std::move(it));
    };
    if (part == Part::kWeight) {
      Time w = pass_of(st.pre, part) + pass_of(st.post, part);
      Flops wf = flops_of(st.pre_flops, part) + flops_of(st.post_flops, part);
      for (const LayerCost& l : st.layers) {
        w += pass_of(l.attention, part) + pass_of(l.mlp, part);
        wf += flops_of(l.attention_flops, part) + flops_of(l.mlp_flops, part);
      }
      compute(w, StepCategory::kWeightGrad, "W", StepOp::kStageWgrad, -1, wf);
      return items;
    }
    const int n = static_cast<int>(st.layers.size());
    auto a2a = [&](bool dispatch, int li, bool backward) {
      const AllToAllTime& f = dispatch ? in_.dispatch : in_.combine;
      if (!f) return;
      const Time t = f(group_of(), stage, li, mb, backward);
      if (t <= Time::zero()) return;
      Item it{true, t, dispatch ? StepCategory::kDispatch : StepCategory::kCombine,
              std::string(dispatch ? "dispatch" : "combine") + (backward ? "-bwd " : " ") + tag, false,
              stage, li, mb, backward, dispatch};
      it.op = dispatch ? (backward ? StepOp::kDispatchBwd : StepOp::kDispatch)
                       : (backward ? StepOp::kCombineBwd : StepOp::kCombine);
      it.layer = st.layers[static_cast<std::size_t>(li)].layer;
      items.push_back(std::move(it));
    };
    if (part == Part::kForward) {
      compute(st.pre.forward, StepCategory::kEmbedHead, "embed", StepOp::kEmbedFwd, -1, st.pre_flops.forward);
      for (int li = 0; li < n; ++li) {
        const LayerCost& l = st.layers[static_cast<std::size_t>(li)];
        compute(l.attention.forward, StepCategory::kAttention, "attn L" + std::to_string(l.layer), StepOp::kAttnFwd,
                l.layer, l.attention_flops.forward);
        if (l.moe) a2a(true, li, false);
        compute(l.mlp.forward, StepCategory::kExperts, (l.moe ? "moe L" : "ffn L") + std::to_string(l.layer),
                l.moe ? StepOp::kMoeFwd : StepOp::kFfnFwd, l.layer, l.mlp_flops.forward);
        if (l.moe) a2a(false, li, false);
      }
      compute(st.post.forward, StepCategory::kEmbedHead, "head", StepOp::kHeadFwd, -1, st.post_flops.forward);
      return items;
    }
    // A full backward puts each weight gradient beside the chain (side item) right after its input
    // gradient; a split backward (B of ZB1P / DualPipe's W split) has none here.
    // ops: {dgrad, wgrad} of the segment.
    auto backward = [&](const SegmentTime& seg, const SegmentFlops& fl, StepCategory c, const std::string& what,
                        std::pair<StepOp, StepOp> ops, int layer) {
      compute(seg.backward_input, c, what, ops.first, layer, fl.backward_input);
      if (part == Part::kBackward && seg.backward_weight > Time::zero()) {
        compute(seg.backward_weight, c, what + " W", ops.second, layer, fl.backward_weight);
        items.back().side = true;
      }
    };
    backward(st.post, st.post_flops, StepCategory::kEmbedHead, "head-bwd", {StepOp::kHeadDgrad, StepOp::kHeadWgrad}, -1);
    for (int li = n - 1; li >= 0; --li) {
      const LayerCost& l = st.layers[static_cast<std::size_t>(li)];
      if (l.moe) a2a(false, li, true);  // gradient of combine: an all-to-all shaped like dispatch
      backward(l.mlp, l.mlp_flops, StepCategory::kExperts, (l.moe ? "moe-bwd L" : "ffn-bwd L") + std::to_string(l.layer),
               l.moe ? std::pair{StepOp::kMoeDgrad, StepOp::kMoeWgrad} : std::pair{StepOp::kFfnDgrad, StepOp::kFfnWgrad},
               l.layer);
      if (l.moe) a2a(true, li, true);
      backward(l.attention, l.attention_flops, StepCategory::kAttention, "attn-bwd L" + std::to_string(l.layer),
               {StepOp::kAttnDgrad, StepOp::kAttnWgrad}, l.layer);
    }
    backward(st.pre, st.pre_flops, StepCategory::kEmbedHead, "embed-bwd", {StepOp::kEmbedDgrad, StepOp::kEmbedWgrad}, -1);
    return items;
  }

  // Emits a chain. Items depend on their predecessor in the chain; side items hang off it.
  Chain emit(int rank, const std::vector<Item>& items, StepPhase phase) {
    Chain c;
    for (const Item& it : items) {
      const TaskId t = add(rank, it, phase);
      if (it.comm && in_.replicas > 1) {
        const TaskId b = barrier(it, rank);
        if (c.last.valid()) g_.graph.add_dep(c.last, b);
        g_.graph.add_dep(b, t);
      } else if (c.last.valid()) {
        g_.graph.add_dep(c.last, t);
      }
      if (it.side) {
        c.side.push_back(t);
        continue;
      }
      if (!c.first.valid()) c.first = t;
      c.last = t;
    }
    return c;
  }

  int stage_of(int rank, const Piece& p) const { return s_.route(p.mb).position(rank, p.chunk); }

  void build_rank(int rank) {
    const auto& prog = s_.program[static_cast<std::size_t>(rank)];
    int first_backward = static_cast<int>(prog.size()), last_forward = -1;
    for (int i = 0; i < static_cast<int>(prog.size()); ++i) {
      const PipeOp op = prog[static_cast<std::size_t>(i)].op;
      if (op == PipeOp::kBackward || op == PipeOp::kBackwardInput || op == PipeOp::kForwardBackward)
        first_backward = std::min(first_backward, i);
      if (op == PipeOp::kForward || op == PipeOp::kForwardBackward) last_forward = i;
    }
    TaskId barrier;  // last task of the previous compute instruction
    std::vector<HopKey> wait_act, wait_grad;
    for (int i = 0; i < static_cast<int>(prog.size()); ++i) {
      const Instr& in = prog[static_cast<std::size_t>(i)];
      switch (in.op) {
        case PipeOp::kRecvActivation: wait_act.push_back(hop_of(s_, rank, in)); continue;
        case PipeOp::kRecvGradient: wait_grad.push_back(hop_of(s_, rank, in)); continue;
        case PipeOp::kSendActivation:
        case PipeOp::kSendGradient: send(rank, in); continue;
        default: break;
      }
      StepPhase phase = StepPhase::kSteady;
      if (in.op == PipeOp::kForward && i < first_backward) phase = StepPhase::kWarmup;
      if ((in.op == PipeOp::kBackward || in.op == PipeOp::kBackwardInput) && i > last_forward) phase = StepPhase::kCooldown;
      if (in.op == PipeOp::kBackwardWeight) phase = StepPhase::kWeightGrad;
      barrier = compute_instr(rank, in, phase, barrier, wait_act, wait_grad);
      wait_act.clear();
      wait_grad.clear();
    }
    close_step(rank, barrier);
  }

  TaskId compute_instr(int rank, const Instr& in, StepPhase phase, TaskId barrier, const std::vector<HopKey>& wait_act,
                       const std::vector<HopKey>& wait_grad) {
    std::vector<Chain> chains;
    auto hook = [&](Chain c, const std::vector<HopKey>& waits) {
      if (!c.first.valid()) return;
      if (barrier.valid()) g_.graph.add_dep(barrier, c.first);
      for (const HopKey& h : waits) recvs_.emplace_back(std::make_pair(replica_, h), c.first);
      chains.push_back(std::move(c));
    };
    const Piece& p = in.piece;
    chunk_ = p.chunk;
    begin_instr(rank, wall_part_of(in.op));
    switch (in.op) {
      case PipeOp::kForward: hook(emit(rank, chain_of(stage_of(rank, p), p.mb, Part::kForward), phase), wait_act); break;
      case PipeOp::kBackward: hook(emit(rank, chain_of(stage_of(rank, p), p.mb, Part::kBackward), phase), wait_grad); break;
      case PipeOp::kBackwardInput:
        hook(emit(rank, chain_of(stage_of(rank, p), p.mb, Part::kBackwardInput), phase), wait_grad);
        break;
      case PipeOp::kBackwardWeight: hook(emit(rank, chain_of(stage_of(rank, p), p.mb, Part::kWeight), phase), {}); break;
      case PipeOp::kForwardBackward: {
        // The pair starts when both of its inputs have arrived, as dualpipe.py waits for both receives
        // before issuing the overlapped pair.
        std::vector<HopKey> both = wait_act;
        both.insert(both.end(), wait_grad.begin(), wait_grad.end());
        hook(emit(rank, chain_of(stage_of(rank, p), p.mb, Part::kForward), phase), both);
        const Piece& o = in.other;
        chunk_ = o.chunk;
        hook(emit(rank, chain_of(stage_of(rank, o), o.mb, Part::kBackward), phase), both);
        break;
      }
      default: DEEPSIM_ASSERT(false, "not a compute instruction");
    }
    if (chains.empty()) {
      end_instr();
      return barrier;
    }
    // The instruction ends when every chain and side item has; its sends leave then, as dualpipe.py
    // and 1F1B post them after the compute step.
    TaskId end = chains[0].last;
    if (chains.size() > 1 || !chains[0].side.empty()) {
      end = g_.graph.add_delay(Time::zero());
      note(phase, rank);
      for (const Chain& c : chains) {
        g_.graph.add_dep(c.last, end);
        for (TaskId t : c.side) g_.graph.add_dep(t, end);
      }
    }
    if (in.op == PipeOp::kForwardBackward) {
      last_of_piece_[{{replica_, p.mb, p.chunk, 1}}] = end;
      last_of_piece_[{{replica_, in.other.mb, in.other.chunk, 0}}] = end;
    } else {
      last_of_piece_[{{replica_, p.mb, p.chunk, in.op == PipeOp::kForward ? 1 : 0}}] = end;
    }
    end_instr();
    return end;
  }

  void send(int rank, const Instr& in) {
    const bool grad = in.op == PipeOp::kSendGradient;
    auto it = last_of_piece_.find({{replica_, in.piece.mb, in.piece.chunk, grad ? 0 : 1}});
    DEEPSIM_ASSERT(it != last_of_piece_.end(), "a send precedes the compute that produces it");
    const Path path = in_.p2p_path ? in_.p2p_path(replica_, rank, in.peer) : Path{};
    const TaskId t = g_.graph.add_flow(path.links, in_.activation_bytes, path.latency, send_label(grad, in.piece.mb),
                                       gpu_of(rank), static_cast<std::uint32_t>(StepCategory::kPipelineP2P));
    note(StepPhase::kSteady, rank,
         {grad ? StepOp::kSendGradient : StepOp::kSendActivation, -1, in.piece.mb, stage_of(rank, in.piece),
          in.piece.chunk, Flops{}, in_.activation_bytes});
    g_.graph.add_dep(it->second, t);
    sends_[hop_key(replica_, hop_of(s_, rank, in))] = t;
  }

  // "send-act mb7" / "send-grad mb7", interned once per (direction, micro-batch) for all replicas.
  std::uint32_t send_label(bool grad, int mb) {
    auto& ids = send_labels_[grad ? 1 : 0];
    const auto m = static_cast<std::size_t>(mb);
    if (m >= ids.size()) ids.resize(m + 1, 0);
    if (ids[m] == 0) ids[m] = label((grad ? "send-grad mb" : "send-act mb") + std::to_string(mb));
    return ids[m];
  }

  void close_step(int rank, TaskId barrier) {
    const auto r = static_cast<std::size_t>(rank);
    const Time sync = r < in_.dp_sync.size() ? in_.dp_sync[r] : Time::zero();
    const Time opt = r < in_.optimizer.size() ? in_.optimizer[r] : Time::zero();
    std::vector<Item> items;
    if (sync > Time::zero()) items.push_back({true, sync, StepCategory::kDataParallel, "ZeRO-1 grad reduce-scatter + param all-gather"});
    if (opt > Time::zero()) items.push_back({false, opt, StepCategory::kOptimizer, "AdamW step"});
    for (Item& item : items) item.op = item.comm ? StepOp::kDpSync : StepOp::kOptimizer;
    chunk_ = -1;
    for (Item& item : items) item.label_id = label(item.label);
    begin_instr(rank, WallPart::kOptimizer);
    const auto c = emit(rank, items, StepPhase::kOptimizer);
    end_instr();
    if (c.first.valid() && barrier.valid()) g_.graph.add_dep(barrier, c.first);
  }

  const Schedule& s_;
  const StepInputs& in_;
  StepGraph g_;
  int replica_ = 0;
  int chunk_ = -1;  // the chunk of the instruction being emitted (for StepTaskInfo)
  std::int32_t instr_ = -1;  // the ordinal of the instruction being emitted (replica 0), -1 between them
  std::vector<std::array<StreamId, 2>> streams_;  // [replica * ranks + rank]
  std::unordered_map<std::string, std::uint32_t> labels_;
  std::array<std::vector<std::uint32_t>, 2> send_labels_;  // [grad?][mb] -> label id, 0 = not yet
  IntMap<4, TaskId> sends_;                                 // (replica, hop)
  std::vector<std::pair<std::pair<int, HopKey>, TaskId>> recvs_;
  IntMap<4, TaskId> last_of_piece_;                         // (replica, mb, chunk, forward?)
  IntMap<6, TaskId> barriers_;                              // (EP group, stage, layer, mb, backward?, dispatch?)
  IntMap<4, std::vector<Item>> chains_;                     // (EP group, stage, mb, part)
};

}  // namespace

StepGraph build_step_graph(const Schedule& schedule, const StepInputs& in) {
  DEEPSIM_ASSERT(static_cast<int>(in.rank_gpu.size()) == schedule.ranks, "one GPU per pipeline rank");
  DEEPSIM_ASSERT(in.replicas == 1 || static_cast<int>(in.replica_gpu.size()) == in.replicas, "GPUs for every replica");
  return Builder(schedule, in).build();
}

std::vector<std::string> step_category_names() {
  std::vector<std::string> names;
  for (std::size_t c = 0; c < kStepCategoryCount; ++c) names.emplace_back(to_string(static_cast<StepCategory>(c)));
  return names;
}

}  // namespace deepsim

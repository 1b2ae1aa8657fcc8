#include "sim/step/step_graph.h"

#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>

#include "sim/core/error.h"
#include "sim/step/task_info.h"
#include "sim/core/rng.h"

namespace deepsim {
namespace {

// One item of a chunk's chain: compute (on the compute stream) or a communication op (comm_item()).
struct Item {
  bool comm = false;
  Time duration;  // compute only
  StepCategory category = StepCategory::kOther;
  // A side item (a weight gradient) depends on the item before it, but the chain goes on without
  // waiting for it: it fills the compute stream where the chain waits on an all-to-all (DualPipe's
  // ordering of W in Figure 4 of the TR). The instruction ends when its side items have too.
  bool side = false;
  // All-to-all items: which one (stage, layer index in the stage, micro-batch, direction).
  int stage = -1, layer_index = -1, mb = -1;
  bool backward = false, dispatch = false;
  // Comm items: the typed op (its group interned in the graph), and whether it occupies the compute
  // stream (blocking, as a TP all-reduce without overlap does) or runs on the comm stream.
  CommOp op{};
  bool on_compute_stream = false;
  bool on_dp_stream = false;  // DP buckets: their own stream, beside compute and the all-to-alls
  bool holds_sms = true;      // false: a send/recv whose SMs are not modelled (the CP ring, like pipeline sends)
  // A second predecessor besides the chain's (an index into the chain's items, earlier): the CP ring's
  // sends and attention steps wait for the send that brings their K/V chunk; an overlapped TP collective
  // (parallel.tp_comm_overlap) waits for the compute it drains.
  int also_after = -1;
  // Comm items that several DP replicas take part in (an EP group's all-to-all, a DP group's sync):
  // with more than one replica in the graph they share one task under this key (full fidelity).
  bool shared = false;
  std::array<std::int64_t, 6> share_key{};
  // For traces: the op, its model layer and FLOPs (StepTaskInfo); what else its label needs
  // (StepTaskInfo::label_flags, bucket): labels are built from these only when a trace asks.
  StepOp op_kind = StepOp::kNone;
  int layer = -1;
  Flops flops{};
  std::uint8_t label_flags = 0;
  std::uint16_t bucket = 0;
  CpRingLabel ring = CpRingLabel::kNone;
  std::uint16_t index = 0;
};

struct Chain {
  TaskId first;
  TaskId last;
  std::vector<TaskId> side;
  std::vector<TaskId> heads;  // side items before `first` (nothing in the chain precedes them)
  std::vector<TaskId> tasks;  // per item, in item order
};

// A chunk's parameters grouped as its gradients become final in the backward (or its parameters are
// first needed in the forward): the post part (head, loss), each layer, the pre part (embedding).
// `key` names the group: -2 post, -1 pre, else the layer.
struct ParamGroup {
  int key = 0;
  double dense = 0, expert = 0;
};

enum class Part { kForward, kBackward, kBackwardInput, kWeight };

// Item::share_key[0] of an expert-TP collective (the EP groups are >= 0, the DP syncs -1 and -2).
constexpr std::int64_t kEtpShare = -3;

// The builder for a communication item of a chain: "a collective of `kind` over graph group `group`
// moving `bytes` (nccl-tests' S; dispatch / combine: bytes per token copy, with `routing`)".
//  - on_compute_stream = false: it runs on the rank's comm stream, holding StepInputs::comm_sms SMs;
//    the chain's next item waits for it, but the compute stream stays free for side items and the
//    other chain of a DualPipe pair (overlapped);
//  - on_compute_stream = true: it occupies the compute stream while it runs (blocking: nothing else
//    computes on that rank meanwhile, as a TP all-reduce on the default stream does).
// Its group is a TaskGraph comm group (Builder::group() interns one from GPU ids). Example, a TP
// all-reduce of the attention output after the attention item of layer l:
//     items.push_back(comm_item(CommKind::kAllReduce, group({tp GPUs}), Bytes(tokens * hidden * 2),
//                               CommDtype::kBf16, StepCategory::kTensorParallel, true));
// Its label comes from its StepOp (Item::op_kind, and label_flags where that is not enough):
// step_task_label() in task_info.cpp builds it when a trace is written.
Item comm_item(CommKind kind, std::uint32_t group, Bytes bytes, CommDtype dtype, StepCategory category,
               bool on_compute_stream, std::uint32_t routing = kNoRouting) {
  Item it;
  it.comm = true;
  it.category = category;
  it.op.kind = kind;
  it.op.group = group;
  it.op.bytes = bytes;
  it.op.dtype = dtype;
  it.op.routing = routing;
  it.on_compute_stream = on_compute_stream;
  return it;
}

// The label flags of a DP sync: dense or expert parameters ("dense" / "expert" is DpSync::what), and
// which collective.
std::uint8_t dp_label_flags(const DpSync& d, bool gather, bool all_reduce) {
  std::uint8_t f = std::string_view(d.what) == "expert" ? kLabelExpert : 0;
  if (gather) f |= kLabelAllGather;
  else if (all_reduce) f |= kLabelAllReduce;
  return f;
}

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
        const StreamId d = bucketed() ? g_.graph.add_stream("gpu" + std::to_string(gpu) + "/dp") : StreamId{};
        streams_.push_back({c, m, d});
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

  void note(StepPhase phase, int rank, const StepTaskInfo& info = {}) {
    g_.phase.push_back(phase);
    g_.rank_of_task.push_back(replica_ == 0 ? rank : -1);  // metrics describe replica 0
    g_.info.push_back(info);
    g_.instr_of_task.push_back(replica_ == 0 && rank >= 0 ? wall_instr_ : -1);
  }

  // Opens instruction `part` of `rank` (replica 0 records it): the tasks noted until end_instr() are its.
  void begin_instr(int rank, WallPart part) {
    if (replica_ != 0) return;
    auto& parts = g_.instr_part[static_cast<std::size_t>(rank)];
    wall_instr_ = static_cast<std::int32_t>(parts.size());
    parts.push_back(part);
  }
  void end_instr() { wall_instr_ = -1; }

  TaskId add(int rank, const Item& item, StepPhase phase, std::uint32_t holder_group = kNoGroup) {
    const int gpu = gpu_of(rank);
    const auto& streams = streams_[static_cast<std::size_t>(replica_ * s_.ranks + rank)];
    TaskId t;
    if (item.comm) {
      CommOp op = item.op;
      op.sms = item.holds_sms ? in_.comm_sms : 0;
      op.holders = holder_group;
      const StreamId on = item.on_compute_stream ? streams[0] : item.on_dp_stream ? streams[2] : streams[1];
      t = g_.graph.add_comm(on, op, 0, gpu, static_cast<std::uint32_t>(item.category));
    } else {
      t = g_.graph.add_compute(streams[0], item.duration, 0, gpu, static_cast<std::uint32_t>(item.category));
    }
    // Bytes on the wire per rank for collectives (dispatch / combine carry bytes per token copy: none).
    const bool per_rank = item.comm && item.op.kind != CommKind::kDispatch && item.op.kind != CommKind::kCombine;
    note(phase, rank,
         {item.op_kind, item.label_flags, item.bucket, item.layer, item.mb, item.stage, chunk_, item.ring, item.index,
          item.flops, per_rank ? item.op.bytes : Bytes{}});
    return t;
  }

  // The task of an item: a new one, or for a shared comm item with several replicas in the graph the
  // one task all of them take part in (created by the first).
  TaskId task_of(int rank, const Item& it, StepPhase phase) {
    if (!(it.comm && it.shared && in_.replicas > 1)) return add(rank, it, phase);
    IntKey<7> key{{rank, it.share_key[0], it.share_key[1], it.share_key[2], it.share_key[3], it.share_key[4], it.share_key[5]}};
    auto [pos, fresh] = shared_.try_emplace(key, TaskId{});
    if (fresh) pos->second = add(rank, it, phase, holders(rank, it));
    return pos->second;
  }

  // A comm group of GPU ids, interned: one graph group per distinct member list.
  std::uint32_t group(const std::vector<std::int32_t>& gpus) {
    auto [it, fresh] = groups_.try_emplace(gpus, 0);
    if (fresh) it->second = g_.graph.add_comm_group(gpus);
    return it->second;
  }

  // The graph group of EP group group_of() at `rank`, interned once per (EP group, rank): every
  // micro-batch's and layer's all-to-alls use it, and asking the placement for its members each time
  // (a vector per call, then the group map's lookup) was a visible part of the build.
  std::uint32_t ep_group(int rank) {
    auto [it, fresh] = ep_groups_.try_emplace(IntKey<2>{{group_of(), rank}}, 0);
    if (fresh) it->second = group(in_.moe.members(group_of(), rank));
    return it->second;
  }

  // The GPUs of the replicas in the graph that take part in a shared op at `rank` (their SMs are held):
  // an EP group's member replicas (key[0] >= 0 is the EP group), an expert-TP group's (key[0] ==
  // kEtpShare), or every replica (DP sync, other key[0] < 0).
  std::uint32_t holders(int rank, const Item& it) {
    const std::int64_t ep_group = it.share_key[0];
    const std::vector<std::int32_t> etp =
        ep_group == kEtpShare ? in_.etp.members(gpu_of(rank)) : std::vector<std::int32_t>{};
    std::vector<std::int32_t> gpus;
    for (int d = 0; d < in_.replicas; ++d) {
      const int g = d == 0 || in_.replica_group.empty() ? 0 : in_.replica_group[static_cast<std::size_t>(d)];
      if (ep_group >= 0 && g != ep_group) continue;
      const auto r = static_cast<std::size_t>(rank);
      const int gpu = d == 0 ? in_.rank_gpu[r] : in_.replica_gpu[static_cast<std::size_t>(d)][r];
      if (ep_group == kEtpShare && std::find(etp.begin(), etp.end(), gpu) == etp.end()) continue;
      gpus.push_back(gpu);
    }
    return group(gpus);
  }

  // The chain of items of one chunk (stage) for one micro-batch.
  // chain(), cached per (EP group, stage, micro-batch, part): replicas of one EP
  // group share their chains, which keeps a full-fidelity build linear in tasks, not in string work.
  // The rank is part of the key: DualPipe runs a stage on two ranks, whose EP groups differ. With TP
  // collectives (or a CP ring, or expert TP) each replica has its own TP (CP, ETP) groups, so chains are
  // per replica (keys below zero).
  const std::vector<Item>& chain_of(int rank, int stage, int mb, Part part) {
    const int owner = in_.tp.enabled() || in_.cp.enabled() || in_.etp.enabled() ? -1 - replica_ : group_of();
    const IntKey<5> key{{owner, rank, stage, mb, static_cast<int>(part)}};
    auto it = chains_.find(key);
    if (it != chains_.end()) return it->second;
    return chains_.emplace(key, chain(rank, stage, mb, part)).first->second;
  }

  std::vector<Item> chain(int rank, int stage, int mb, Part part) {
    const StageCost& st = in_.stages[static_cast<std::size_t>(stage)];
    std::vector<Item> items;
    auto compute = [&](Time t, StepCategory c, StepOp op, int layer, Flops f, std::uint8_t flags = 0) {
      if (t <= Time::zero()) return;
      Item it{false, t, c};
      it.label_flags = flags;
      it.stage = stage;
      it.mb = mb;
      it.op_kind = op;
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
      compute(w, StepCategory::kWeightGrad, StepOp::kStageWgrad, -1, wf);
      return items;
    }
    const int n = static_cast<int>(st.layers.size());
    // The backward of dispatch is a combine (the gradients flow back from the experts) and vice versa.
    // Forward dispatch is FP8 (+ scales); so is the backward of combine, which dispatches the output
    // gradients to the experts in FP8 (TR 3.3.3); forward combine and the backward of dispatch are BF16.
    auto a2a = [&](bool dispatch, int li, bool backward) {
      if (!in_.moe.enabled()) return;
      const std::uint32_t routing = in_.moe.routing(group_of(), stage, li);
      if (routing == kNoRouting) return;
      const bool fp8 = dispatch != backward;
      const CommKind kind = dispatch != backward ? CommKind::kDispatch : CommKind::kCombine;
      Item it = comm_item(kind, ep_group(rank),
                          fp8 ? in_.moe.dispatch_bytes_per_token : in_.moe.bf16_bytes_per_token,
                          fp8 ? CommDtype::kFp8 : CommDtype::kBf16, dispatch ? StepCategory::kDispatch : StepCategory::kCombine,
                          false, routing);
      it.stage = stage;
      it.layer_index = li;
      it.mb = mb;
      it.backward = backward;
      it.op.pass = backward ? CommPass::kBackward : CommPass::kForward;
      it.holds_sms = !in_.moe.low_latency;  // the low-latency kernels' receive hook holds none
      it.dispatch = dispatch;
      it.shared = true;
      it.share_key = {group_of(), stage, li, mb, backward ? 1 : 0, dispatch ? 1 : 0};
      it.op_kind = dispatch ? (backward ? StepOp::kDispatchBwd : StepOp::kDispatch)
                            : (backward ? StepOp::kCombineBwd : StepOp::kCombine);
      it.layer = st.layers[static_cast<std::size_t>(li)].layer;
      items.push_back(std::move(it));
    };
    // Expert TP (in_.etp, step_inputs.h EtpComm): inside the GPU's ETP group, the all-gather (`gather`)
    // of what the all-to-all brought (forward: the tokens; backward: their output gradients) before the
    // experts, and the reduce-scatter of what they made (outputs; input gradients) after them. On the comm
    // stream like the all-to-alls it sits between; with several replicas of one ETP group in the graph
    // (full fidelity) they share the collective.
    auto etp_op = [&](bool gather, int li, bool backward) {
      if (!in_.etp.enabled()) return;
      const std::vector<std::int32_t> members = in_.etp.members(gpu_of(rank));
      Item it = comm_item(gather ? CommKind::kAllGather : CommKind::kReduceScatter, group(members), in_.etp.bytes,
                          CommDtype::kBf16, StepCategory::kTensorParallel, false);
      it.stage = stage;
      it.layer_index = li;
      it.mb = mb;
      it.backward = backward;
      it.label_flags = backward ? kLabelBwd : 0;
      it.op_kind = gather ? StepOp::kEtpAllGather : StepOp::kEtpReduceScatter;
      it.layer = st.layers[static_cast<std::size_t>(li)].layer;
      it.shared = true;
      it.share_key = {kEtpShare, members.front(), stage, li, mb, (backward ? 2 : 0) + (gather ? 1 : 0)};
      items.push_back(std::move(it));
    };
    // A TP collective of a block (attention, or `mlp`: the dense FFN / MoE block). `gather`: the all-gather
    // before the block (the forward's input shards, the backward's output-gradient shards; sequence
    // parallelism only); else the reduction after it (the forward's output, the backward's input
    // gradient): an all-reduce, or a reduce-scatter under SP. An MoE block reduces only when its shared
    // experts are split over TP. Blocking on the compute stream (Megatron without overlap), or with
    // `beside` on the comm stream, where the chain's next item waits for it but side items compute;
    // `share` of the collective's S (userbuffers' chunks). `when`: 0 forward, kLabelBwd or kLabelRerun (for
    // the label). Returns whether it pushed an item.
    auto tp_op = [&](bool gather, const LayerCost& l, bool mlp, std::uint8_t when, bool beside = false,
                     double share = 1.0) {
      if (!in_.tp.enabled()) return false;
      const bool sp = in_.tp.sequence_parallel;
      if (gather && !sp) return false;
      if (!gather && mlp && l.moe && !in_.tp.moe_reduce) return false;
      const CommKind kind = gather ? CommKind::kAllGather : sp ? CommKind::kReduceScatter : CommKind::kAllReduce;
      Item it = comm_item(kind, group(in_.tp.members(replica_, rank)), Bytes(in_.tp.bytes.value() * share),
                          CommDtype::kBf16, StepCategory::kTensorParallel, !beside);
      it.label_flags = static_cast<std::uint8_t>(when | (mlp ? kLabelMlp : 0));
      it.stage = stage;
      it.mb = mb;
      it.layer = l.layer;
      it.op_kind = gather ? StepOp::kTpAllGather : sp ? StepOp::kTpReduceScatter : StepOp::kTpAllReduce;
      items.push_back(std::move(it));
      return true;
    };
    const TpCommOverlap overlap = in_.tp.enabled() ? in_.tp.overlap : TpCommOverlap::kNone;
    // userbuffers (Megatron --tp-comm-overlap): TE splits a block's GEMMs and its all-gather /
    // reduce-scatter into tp chunks and pipelines them. deepsim keeps the pipeline's fill and drain: the
    // first 1/tp of the gather before the block, the last 1/tp of the reduce-scatter after it, and the
    // rest of both on the comm stream beside the block's compute (a side item). MoE blocks stay blocking
    // (their expert GEMMs sit between two all-to-alls, not beside the TP collectives), and so do attention
    // blocks with CP (their core is a ring of steps and sends, not one item beside the collectives).
    const double chunk = 1.0 / std::max(in_.tp.tp, 1);
    auto chunked = [&](const LayerCost& l, bool mlp) {
      return overlap == TpCommOverlap::kUserBuffers && in_.tp.sequence_parallel && !(mlp ? l.moe : in_.cp.enabled());
    };
    // Pushes `body` (which pushes the block's compute item, or nothing) as a side item between the gather's
    // fill and the rest of the collectives; returns the index of the compute item (-1 if none).
    auto beside_block = [&](const LayerCost& l, bool mlp, std::uint8_t when, const auto& body) {
      tp_op(true, l, mlp, when, true, chunk);
      const std::size_t before = items.size();
      body();
      const int block = items.size() > before ? static_cast<int>(before) : -1;
      if (block >= 0) items[before].side = true;
      tp_op(true, l, mlp, when, true, 1.0 - chunk);
      return block;
    };
    auto drain = [&](const LayerCost& l, bool mlp, std::uint8_t when, int block) {
      tp_op(false, l, mlp, when, true, 1.0 - chunk);
      if (tp_op(false, l, mlp, when, true, chunk) && block >= 0) items.back().also_after = block;
    };
    // The CP ring of one attention core (Megatron-CP's P2P ring, docs/pipeline.md): cp steps of the core
    // (`core` / cp each: the load-balanced split gives every step the same work) on the compute stream,
    // and cp - 1 sends of `bytes` on the comm stream. Step k computes on the chunk received at step k - 1
    // while the send for step k + 1 runs; with two K/V buffers (as Megatron keeps) that send waits for
    // the send before it (the chunk it forwards) and for step k - 1's compute (the buffer it refills).
    // Each send is one ring shift over the whole CP group: every rank forwards its chunk to the next at
    // once, so the hops share links (and, in flow mode, contend with other traffic) as they do.
    // `what`: which ring, for the labels ("cp-kv L3 step1 mb0 s0" sends, "attn-kv L3 step0 mb0 s0" steps).
    auto ring = [&](Time core, Flops flops, Bytes bytes, StepOp op, const LayerCost& l, CpRingLabel what) {
      const int cp = in_.cp.cp;
      const std::vector<std::int32_t> ringm = in_.cp.members(replica_, rank);
      const std::uint32_t shift = group(ringm);
      const Time piece = core / cp;
      int prev_send = -1, this_send = -1;
      for (int k = 0; k < cp; ++k) {
        if (k + 1 < cp) {
          Item s = comm_item(CommKind::kRingShift, shift, bytes, CommDtype::kBf16, StepCategory::kContextParallel, false);
          s.ring = what;
          s.index = static_cast<std::uint16_t>(k + 1);
          s.side = true;
          s.holds_sms = false;
          s.also_after = this_send;  // the chunk it forwards (none for the first)
          s.stage = stage;
          s.mb = mb;
          s.layer = l.layer;
          s.op_kind = StepOp::kCpRingSend;
          prev_send = this_send;
          this_send = static_cast<int>(items.size());
          items.push_back(std::move(s));
        }
        Item c{false, k + 1 < cp ? piece : core - piece * (cp - 1), StepCategory::kAttention};
        c.ring = what;
        c.index = static_cast<std::uint16_t>(k);
        c.stage = stage;
        c.mb = mb;
        c.layer = l.layer;
        c.op_kind = op;
        c.flops = Flops(flops.value() / cp);
        // Step k >= 1 computes on the chunk the send of step k brought.
        c.also_after = k == 0 ? -1 : (k + 1 < cp ? prev_send : this_send);
        items.push_back(std::move(c));
      }
    };
    // An attention block's forward: without CP one item; with CP the ops before the core, the ring, the
    // ops after it.
    auto attention_forward = [&](const LayerCost& l) {
      if (!in_.cp.enabled()) {
        compute(l.attention.forward, StepCategory::kAttention, StepOp::kAttnFwd, l.layer, l.attention_flops.forward);
        return;
      }
      compute(l.attention_pre.forward, StepCategory::kAttention, StepOp::kAttnFwd, l.layer, l.attention_pre_flops.forward);
      ring(l.attention_core.forward, l.attention_core_flops.forward, in_.cp.forward_bytes, StepOp::kAttnFwd, l,
           CpRingLabel::kKv);
      compute(l.attention.forward - l.attention_pre.forward - l.attention_core.forward, StepCategory::kAttention,
              StepOp::kAttnFwd, l.layer, l.attention_flops.forward - l.attention_pre_flops.forward - l.attention_core_flops.forward,
              kLabelPost);
    };
    // A layer's forward: per block, [all-gather (SP)] -> block -> all-reduce (or reduce-scatter under SP).
    auto forward_block = [&](const LayerCost& l, bool mlp, const auto& body) {
      if (chunked(l, mlp)) {
        drain(l, mlp, 0, beside_block(l, mlp, 0, body));
        return;
      }
      tp_op(true, l, mlp, 0);
      body();
      tp_op(false, l, mlp, 0);
    };
    auto forward_layer = [&](int li, const LayerCost& l) {
      forward_block(l, false, [&] { attention_forward(l); });
      if (l.moe) {
        tp_op(true, l, true, 0);
        a2a(true, li, false);
        etp_op(true, li, false);
        compute(l.mlp.forward, StepCategory::kExperts, StepOp::kMoeFwd, l.layer, l.mlp_flops.forward);
        etp_op(false, li, false);
        a2a(false, li, false);
        tp_op(false, l, true, 0);
        return;
      }
      forward_block(l, true, [&] {
        compute(l.mlp.forward, StepCategory::kExperts, StepOp::kFfnFwd, l.layer, l.mlp_flops.forward);
      });
    };
    if (part == Part::kForward) {
      compute(st.pre.forward, StepCategory::kEmbedHead, StepOp::kEmbedFwd, -1, st.pre_flops.forward);
      for (int li = 0; li < n; ++li) forward_layer(li, st.layers[static_cast<std::size_t>(li)]);
      compute(st.post.forward, StepCategory::kEmbedHead, StepOp::kHeadFwd, -1, st.post_flops.forward);
      return items;
    }
    // A full backward puts each weight gradient beside the chain (side item) right after its input
    // gradient; a split backward (B of ZB1P / DualPipe's W split) has none here.
    // ops: {dgrad, wgrad} of the segment. `tp_block`: the block whose input gradient is reduced over TP
    // right after its dgrad (before the W, which would wait for it on the compute stream anyway).
    // With async-grad (and userbuffers) the reduction runs on the comm stream beside the W, which therefore
    // goes first (it hangs off the dgrad, not off the reduction); the next block's backward waits for it.
    // `w_after`: an item the W waits for besides its chain predecessor (the SP re-gather beside the dgrad).
    auto backward = [&](const SegmentTime& seg, const SegmentFlops& fl, StepCategory c, std::pair<StepOp, StepOp> ops, int layer, const LayerCost* tp_block = nullptr, bool mlp = false, int w_after = -1) {
      const bool with_w = part == Part::kBackward && seg.backward_weight > Time::zero();
      auto weight = [&] {
        if (!with_w) return;
        compute(seg.backward_weight, c, ops.second, layer, fl.backward_weight);
        items.back().side = true;
        items.back().also_after = w_after;
      };
      if (tp_block != nullptr && chunked(*tp_block, mlp)) {
        // userbuffers: the output gradient's gather beside the dgrad, the input gradient's reduce-scatter
        // beside the W (or, split backward, drained after the dgrad as in the forward).
        const int dgrad = beside_block(*tp_block, mlp, kLabelBwd, [&] {
          compute(seg.backward_input, c, ops.first, layer, fl.backward_input);
        });
        if (!with_w) return drain(*tp_block, mlp, kLabelBwd, dgrad);
        weight();
        if (tp_op(false, *tp_block, mlp, kLabelBwd, true) && dgrad >= 0) items.back().also_after = dgrad;
        return;
      }
      compute(seg.backward_input, c, ops.first, layer, fl.backward_input);
      if (tp_block != nullptr && overlap != TpCommOverlap::kNone) {
        weight();
        tp_op(false, *tp_block, mlp, kLabelBwd, true);
        return;
      }
      if (tp_block != nullptr) tp_op(false, *tp_block, mlp, kLabelBwd);
      weight();
    };
    // SP: Megatron keeps only its shard of a column-parallel linear's input (the block's gathered input)
    // and gathers it again in the backward for the weight gradient (Korthikanti et al. 2022, 4.2.2: "the
    // all-gather ... re-done in the backward"). Without overlap it blocks the compute stream before the
    // block's input gradient. With async-grad or userbuffers it runs on the comm stream beside the input
    // gradient (Megatron launches it first and waits for it before the weight GEMM): a side item the W
    // waits for, whose index this returns (-1: blocking, or no re-gather). MoE blocks gather again only
    // for TP-split shared experts (the routed experts' inputs come from the all-to-all).
    auto regather = [&](const LayerCost& l, bool mlp) {
      if (!in_.tp.enabled() || !in_.tp.sequence_parallel || (mlp && l.moe && !in_.tp.moe_reduce)) return -1;
      const bool beside = overlap != TpCommOverlap::kNone;
      if (!tp_op(true, l, mlp, kLabelBwd, beside)) return -1;
      items.back().index = kTpRegather;
      if (!beside) return -1;
      items.back().side = true;
      return static_cast<int>(items.size()) - 1;
    };
    backward(st.post, st.post_flops, StepCategory::kEmbedHead, {StepOp::kHeadDgrad, StepOp::kHeadWgrad}, -1);
    for (int li = n - 1; li >= 0; --li) {
      const LayerCost& l = st.layers[static_cast<std::size_t>(li)];
      // Full recompute re-runs the layer's forward before its backward, TP collectives included (its
      // compute is in the dgrad times, so they stay blocking under every overlap option); no all-to-all is
      // re-run (not modelled).
      if (in_.tp.rerun_forward)
        for (const bool mlp : {false, true}) {
          tp_op(true, l, mlp, kLabelRerun);
          tp_op(false, l, mlp, kLabelRerun);
        }
      // SP: the output gradient's shards, gathered before the block's backward (inside backward() when
      // chunked).
      if (!chunked(l, true)) tp_op(true, l, true, kLabelBwd);
      if (l.moe) a2a(false, li, true);  // gradient of combine: an all-to-all shaped like dispatch
      if (l.moe) etp_op(true, li, true);
      const int mlp_input = regather(l, true);
      backward(l.mlp, l.mlp_flops, StepCategory::kExperts,
               l.moe ? std::pair{StepOp::kMoeDgrad, StepOp::kMoeWgrad} : std::pair{StepOp::kFfnDgrad, StepOp::kFfnWgrad},
               l.layer, &l, true, mlp_input);
      if (l.moe) etp_op(false, li, true);  // waits for the dgrad; the block's W (a side item) runs beside it
      if (l.moe) a2a(true, li, true);
      if (!chunked(l, false)) tp_op(true, l, false, kLabelBwd);
      const int attention_input = regather(l, false);
      if (!in_.cp.enabled()) {
        backward(l.attention, l.attention_flops, StepCategory::kAttention, {StepOp::kAttnDgrad, StepOp::kAttnWgrad},
                 l.layer, &l, false, attention_input);
        continue;
      }
      // CP: the input gradients of the ops after the core, the re-run forward ring (recompute), the
      // backward ring (K/V + dK/dV), then the ops before the core with the block's weight gradients.
      const Time post = l.attention.backward_input - l.attention_pre.backward_input -
                        l.attention_core.backward_input - l.core_rerun;
      const Flops post_flops = l.attention_flops.backward_input - l.attention_pre_flops.backward_input -
                               l.attention_core_flops.backward_input - l.core_rerun_flops;
      compute(post, StepCategory::kAttention, StepOp::kAttnDgrad, l.layer, post_flops, kLabelPost);
      if (l.core_rerun > Time::zero())
        ring(l.core_rerun, l.core_rerun_flops, in_.cp.forward_bytes, StepOp::kAttnDgrad, l, CpRingLabel::kKvRerun);
      ring(l.attention_core.backward_input, l.attention_core_flops.backward_input, in_.cp.backward_bytes,
           StepOp::kAttnDgrad, l, CpRingLabel::kKvBwd);
      SegmentTime pre{Time::zero(), l.attention_pre.backward_input, l.attention.backward_weight};
      SegmentFlops pre_flops{Flops{}, l.attention_pre_flops.backward_input, l.attention_flops.backward_weight};
      backward(pre, pre_flops, StepCategory::kAttention, {StepOp::kAttnDgrad, StepOp::kAttnWgrad}, l.layer, &l,
               false, attention_input);
    }
    backward(st.pre, st.pre_flops, StepCategory::kEmbedHead, {StepOp::kEmbedDgrad, StepOp::kEmbedWgrad}, -1);
    return items;
  }

  // Emits a chain. Items depend on their predecessor in the chain; side items hang off it. A shared
  // comm item (full fidelity) is one task for all member replicas: it waits for each one's chain.
  Chain emit(int rank, const std::vector<Item>& items, StepPhase phase) {
    Chain c;
    for (const Item& it : items) {
      const TaskId t = task_of(rank, it, phase);
      if (it.also_after >= 0) g_.graph.add_dep(c.tasks[static_cast<std::size_t>(it.also_after)], t);
      c.tasks.push_back(t);
      if (c.last.valid()) g_.graph.add_dep(c.last, t);
      if (it.side) {
        c.side.push_back(t);
        if (!c.last.valid()) c.heads.push_back(t);
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
    if (bucketed()) plan_buckets(rank);
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
      instr_ = i;
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
      // A side item at the head of the chain (an SP re-gather beside the first dgrad) waits for what the
      // chain's first item waits for.
      c.heads.push_back(c.first);
      for (const TaskId t : c.heads) {
        if (barrier.valid()) g_.graph.add_dep(barrier, t);
        for (const HopKey& h : waits) recvs_.emplace_back(std::make_pair(replica_, h), t);
      }
      chains.push_back(std::move(c));
    };
    // Emits the chain of `piece`'s `part` and, where the DP buckets say so, gates its first forward on
    // the parameter all-gathers or sends its gradients' reduce-scatters.
    auto chain_for = [&](const Piece& piece, Part part) {
      const int stage = stage_of(rank, piece);
      const std::vector<Item>& items = chain_of(rank, stage, piece.mb, part);
      Chain c = emit(rank, items, phase);
      if (bucketed()) {
        const bool forward = part == Part::kForward;
        auto& at = forward ? first_forward_ : grad_final_;
        const auto it = at.find(piece.chunk);
        // ZeRO-2: every chain that makes weight gradients (a whole backward, or a split backward's W;
        // not its input-gradient half) sends its micro-batch's reduce-scatters.
        const bool every = in_.reduce_every_micro_batch && (part == Part::kBackward || part == Part::kWeight);
        if (every || (it != at.end() && it->second == instr_)) {
          // The buckets' all-gathers and reduce-scatters run on the DP stream beside the chunks, so they
          // belong to no instruction of the wall breakdown (their exposed part shows as what they delay).
          const std::int32_t wall_instr = std::exchange(wall_instr_, -1);
          if (forward) gate_forward(rank, stage, piece.chunk, items, c);
          else send_gradients(rank, stage, piece.chunk, items, c, every ? piece.mb + 1 : 0);
          wall_instr_ = wall_instr;
        }
      }
      return c;
    };
    const Piece& p = in.piece;
    chunk_ = p.chunk;
    begin_instr(rank, wall_part_of(in.op));
    switch (in.op) {
      case PipeOp::kForward: hook(chain_for(p, Part::kForward), wait_act); break;
      case PipeOp::kBackward: hook(chain_for(p, Part::kBackward), wait_grad); break;
      case PipeOp::kBackwardInput: hook(chain_for(p, Part::kBackwardInput), wait_grad); break;
      case PipeOp::kBackwardWeight: hook(chain_for(p, Part::kWeight), {}); break;
      case PipeOp::kForwardBackward: {
        // The pair starts when both of its inputs have arrived, as dualpipe.py waits for both receives
        // before issuing the overlapped pair.
        std::vector<HopKey> both = wait_act;
        both.insert(both.end(), wait_grad.begin(), wait_grad.end());
        hook(chain_for(p, Part::kForward), both);
        const Piece& o = in.other;
        chunk_ = o.chunk;
        hook(chain_for(o, Part::kBackward), both);
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
    CommOp op;
    op.kind = CommKind::kSendRecv;
    op.group = group({gpu_of(rank), gpu_of(in.peer)});
    op.bytes = in_.activation_bytes;
    op.dtype = CommDtype::kBf16;
    const TaskId t = g_.graph.add_comm(StreamId{}, op, 0, gpu_of(rank), static_cast<std::uint32_t>(StepCategory::kPipelineP2P));
    note(StepPhase::kSteady, rank,
         {grad ? StepOp::kSendGradient : StepOp::kSendActivation, 0, 0, -1, in.piece.mb, stage_of(rank, in.piece),
          in.piece.chunk, CpRingLabel::kNone, 0, Flops{}, in_.activation_bytes});
    g_.graph.add_dep(it->second, t);
    sends_[hop_key(replica_, hop_of(s_, rank, in))] = t;
  }

  // After the last backward: each DP group's gradient reduce-scatter (ZeRO >= 1; ZeRO-0: all-reduce), the
  // optimizer step on the shard, then the parameter all-gathers. In full fidelity each is one task
  // shared by the replicas (the DP group spans them).
  void close_step(int rank, TaskId barrier) {
    const auto r = static_cast<std::size_t>(rank);
    const Time opt = r < in_.optimizer.size() ? in_.optimizer[r] : Time::zero();
    std::vector<Item> items;
    const std::vector<DpSync> none;
    const std::vector<DpSync>& syncs = r < in_.dp_sync.size() ? in_.dp_sync[r] : none;
    auto dp_item = [&](const DpSync& d, bool gather, std::int64_t index) {
      const bool all_reduce = d.param_bytes.value() <= 0;
      const CommKind kind = gather ? CommKind::kAllGather : all_reduce ? CommKind::kAllReduce : CommKind::kReduceScatter;
      Item it = comm_item(kind, group(d.members), gather ? d.param_bytes : d.grad_bytes,
                          gather ? CommDtype::kBf16 : CommDtype::kFp32, StepCategory::kDataParallel, false);
      it.op_kind = StepOp::kDpSync;
      it.label_flags = dp_label_flags(d, gather, all_reduce);
      it.shared = true;
      it.share_key = {-1, index, gather ? 1 : 0, 0, 0, 0};
      items.push_back(std::move(it));
    };
    const bool bucketed_grads = in_.grad_bucket_bytes.value() > 0 || in_.reduce_every_micro_batch;
    for (std::size_t k = 0; k < syncs.size() && !bucketed_grads; ++k)
      if (syncs[k].members.size() > 1 && syncs[k].grad_bytes.value() > 0) dp_item(syncs[k], false, static_cast<std::int64_t>(k));
    if (opt > Time::zero()) {
      Item it{false, opt, StepCategory::kOptimizer};
      it.op_kind = StepOp::kOptimizer;
      items.push_back(std::move(it));
    }
    for (std::size_t k = 0; k < syncs.size() && !in_.overlap_param_gather; ++k)
      if (syncs[k].members.size() > 1 && syncs[k].param_bytes.value() > 0) dp_item(syncs[k], true, static_cast<std::int64_t>(k));
    chunk_ = -1;
    begin_instr(rank, WallPart::kOptimizer);
    const auto c = emit(rank, items, StepPhase::kOptimizer);
    end_instr();
    if (c.first.valid() && barrier.valid()) g_.graph.add_dep(barrier, c.first);
    // The optimizer waits for every gradient bucket of the rank.
    if (c.first.valid())
      for (const TaskId t : rs_tasks_) g_.graph.add_dep(t, c.first);
    rs_tasks_.clear();
  }

  // ---- DP buckets (StepInputs::grad_bucket_bytes, overlap_param_gather) ----

  [[nodiscard]] bool bucketed() const {
    return in_.grad_bucket_bytes.value() > 0 || in_.overlap_param_gather || in_.reduce_every_micro_batch;
  }

  // Per chunk of the rank: the instruction whose chain makes its gradients final (the last W
  // instruction of a split backward, else the last backward) and the first forward; the rank's
  // parameter totals over its chunks (buckets split the DP groups' bytes in these proportions).
  void plan_buckets(int rank) {
    const auto& prog = s_.program[static_cast<std::size_t>(rank)];
    first_forward_.clear();
    grad_final_.clear();
    std::map<int, int> last_backward, last_weight, stage_of_chunk;
    for (int i = 0; i < static_cast<int>(prog.size()); ++i) {
      const Instr& in = prog[static_cast<std::size_t>(i)];
      auto forward = [&](const Piece& p) {
        first_forward_.try_emplace(p.chunk, i);
        stage_of_chunk[p.chunk] = stage_of(rank, p);
      };
      switch (in.op) {
        case PipeOp::kForward: forward(in.piece); break;
        case PipeOp::kBackward:
        case PipeOp::kBackwardInput: last_backward[in.piece.chunk] = i; break;
        case PipeOp::kBackwardWeight: last_weight[in.piece.chunk] = i; break;
        case PipeOp::kForwardBackward:
          forward(in.piece);
          last_backward[in.other.chunk] = i;
          break;
        default: break;
      }
    }
    for (const auto& [chunk, i] : last_backward) grad_final_[chunk] = i;
    for (const auto& [chunk, i] : last_weight) grad_final_[chunk] = i;
    if (in_.grad_bucket_bytes.value() <= 0) grad_final_.clear();
    if (!in_.overlap_param_gather) first_forward_.clear();
    rank_dense_ = rank_expert_ = 0;
    for (const auto& [chunk, stage] : stage_of_chunk) {
      const StageCost& st = in_.stages[static_cast<std::size_t>(stage)];
      rank_dense_ += st.pre_params + st.post_params;
      for (const LayerCost& l : st.layers) {
        rank_dense_ += l.dense_params;
        rank_expert_ += l.expert_params;
      }
    }
  }

  // The parameter group an item of a chain belongs to (ParamGroup::key); -3: a split backward's W,
  // which holds every weight gradient of the chunk.
  static int group_key(const Item& it) {
    switch (it.op_kind) {
      case StepOp::kHeadFwd:
      case StepOp::kHeadDgrad:
      case StepOp::kHeadWgrad: return -2;
      case StepOp::kEmbedFwd:
      case StepOp::kEmbedDgrad:
      case StepOp::kEmbedWgrad: return -1;
      case StepOp::kStageWgrad: return -3;
      default: return it.layer;
    }
  }

  static ParamGroup params_of(const StageCost& st, int key) {
    ParamGroup g;
    g.key = key;
    if (key == -2 || key == -3) g.dense += st.post_params;
    if (key == -1 || key == -3) g.dense += st.pre_params;
    for (const LayerCost& l : st.layers) {
      if (key != -3 && l.layer != key) continue;
      g.dense += l.dense_params;
      g.expert += l.expert_params;
    }
    return g;
  }

  // The groups of a chain in item order, each with the index of its first and last item.
  struct GroupSpan {
    ParamGroup params;
    std::size_t first = 0, last = 0;
  };
  std::vector<GroupSpan> groups_of(const StageCost& st, const std::vector<Item>& items) const {
    std::vector<GroupSpan> out;
    for (std::size_t k = 0; k < items.size(); ++k) {
      const int key = group_key(items[k]);
      if (out.empty() || out.back().params.key != key) out.push_back({params_of(st, key), k, k});
      out.back().last = k;
    }
    return out;
  }

  // Buckets over consecutive groups: a bucket closes once it holds grad_bucket_bytes of FP32 gradients
  // (one bucket per chain without a bucket size). Returns, per group, its bucket; fills bucket totals.
  std::vector<std::size_t> bucket_groups(const std::vector<GroupSpan>& groups, std::vector<ParamGroup>& buckets) const {
    std::vector<std::size_t> of(groups.size());
    const double limit = in_.grad_bucket_bytes.value();
    double held = 0;
    for (std::size_t k = 0; k < groups.size(); ++k) {
      if (buckets.empty() || (limit > 0 && held >= limit)) {
        buckets.push_back({});
        held = 0;
      }
      buckets.back().dense += groups[k].params.dense;
      buckets.back().expert += groups[k].params.expert;
      held += (groups[k].params.dense + groups[k].params.expert) * 4.0;
      of[k] = buckets.size() - 1;
    }
    return of;
  }

  // A DP collective of one bucket: its share of the DP group's bytes, on the DP stream.
  // mb_tag: 0, or 1 + the micro-batch whose gradients a ZeRO-2 reduce-scatter carries.
  Item bucket_item(const DpSync& d, std::size_t sync, const ParamGroup& b, bool gather, int chunk, std::size_t index,
                   int stage, int mb_tag = 0) {
    const double total = d.expert ? rank_expert_ : rank_dense_;
    const double share = total > 0 ? (d.expert ? b.expert : b.dense) / total : 0.0;
    const bool all_reduce = d.param_bytes.value() <= 0;
    const CommKind kind = gather ? CommKind::kAllGather : all_reduce ? CommKind::kAllReduce : CommKind::kReduceScatter;
    const Bytes bytes((gather ? d.param_bytes : d.grad_bytes).value() * share);
    Item it = comm_item(kind, group(d.members), bytes, gather ? CommDtype::kBf16 : CommDtype::kFp32,
                        StepCategory::kDataParallel, false);
    it.on_dp_stream = true;
    it.op_kind = StepOp::kDpSync;
    DEEPSIM_ASSERT(index <= 0xffff, "a chunk's DP buckets fit StepTaskInfo::bucket");
    it.label_flags = static_cast<std::uint8_t>(dp_label_flags(d, gather, all_reduce) | kLabelBucket);
    it.bucket = static_cast<std::uint16_t>(index);
    DEEPSIM_ASSERT(mb_tag <= 0xffff, "a ZeRO-2 micro-batch tag fits StepTaskInfo::index");
    it.index = static_cast<std::uint16_t>(mb_tag);
    it.stage = stage;
    it.shared = true;
    it.share_key = {-2, static_cast<std::int64_t>(sync), chunk, static_cast<std::int64_t>(index), gather ? 1 : 0, mb_tag};
    return it;
  }

  const std::vector<DpSync>& syncs_of(int rank) const {
    static const std::vector<DpSync> none;
    const auto r = static_cast<std::size_t>(rank);
    return r < in_.dp_sync.size() ? in_.dp_sync[r] : none;
  }

  // The last backward of a chunk (ZeRO-2: every micro-batch's, mb_tag = 1 + its micro-batch): as each
  // bucket's last group is done, its reduce-scatters leave.
  void send_gradients(int rank, int stage, int chunk, const std::vector<Item>& items, const Chain& c, int mb_tag) {
    const auto groups = groups_of(in_.stages[static_cast<std::size_t>(stage)], items);
    std::vector<ParamGroup> buckets;
    const auto of = bucket_groups(groups, buckets);
    const auto& syncs = syncs_of(rank);
    for (std::size_t b = 0; b < buckets.size(); ++b) {
      std::size_t last = 0;
      for (std::size_t k = 0; k < groups.size(); ++k)
        if (of[k] == b) last = groups[k].last;
      for (std::size_t k = 0; k < syncs.size(); ++k) {
        const DpSync& d = syncs[k];
        if (d.members.size() < 2 || d.grad_bytes.value() <= 0 || (d.expert ? buckets[b].expert : buckets[b].dense) <= 0) continue;
        const TaskId t = task_of(rank, bucket_item(d, k, buckets[b], false, chunk, b, stage, mb_tag), StepPhase::kOptimizer);
        g_.graph.add_dep(c.tasks[last], t);
        rs_tasks_.push_back(t);
      }
    }
  }

  // The first forward of a chunk: the parameter all-gathers (the previous step's, in steady state) leave
  // at the step's start, bucket by bucket in forward order; each group's first item waits for its bucket.
  void gate_forward(int rank, int stage, int chunk, const std::vector<Item>& items, const Chain& c) {
    const auto groups = groups_of(in_.stages[static_cast<std::size_t>(stage)], items);
    std::vector<ParamGroup> buckets;
    const auto of = bucket_groups(groups, buckets);
    const auto& syncs = syncs_of(rank);
    for (std::size_t b = 0; b < buckets.size(); ++b) {
      for (std::size_t k = 0; k < syncs.size(); ++k) {
        const DpSync& d = syncs[k];
        if (d.members.size() < 2 || d.param_bytes.value() <= 0 || (d.expert ? buckets[b].expert : buckets[b].dense) <= 0) continue;
        const TaskId t = task_of(rank, bucket_item(d, k, buckets[b], true, chunk, b, stage), StepPhase::kOptimizer);
        for (std::size_t g = 0; g < groups.size(); ++g)
          if (of[g] == b) g_.graph.add_dep(t, c.tasks[groups[g].first]);
      }
    }
  }

  const Schedule& s_;
  const StepInputs& in_;
  StepGraph g_;
  int replica_ = 0;
  int chunk_ = -1;  // the chunk of the instruction being emitted (for StepTaskInfo)
  int instr_ = -1;  // the index of the instruction being emitted in its rank's program
  // DP buckets of the rank being built (plan_buckets): chunk -> instruction index, parameter totals, and
  // the gradient buckets' tasks (the optimizer waits for them).
  std::map<int, int> first_forward_, grad_final_;
  double rank_dense_ = 0, rank_expert_ = 0;
  std::vector<TaskId> rs_tasks_;
  std::vector<std::array<StreamId, 3>> streams_;  // [replica * ranks + rank]: compute, comm, dp (if bucketed)
  std::int32_t wall_instr_ = -1;  // the ordinal of the wall-breakdown instruction being emitted (replica 0), -1 between them
  IntMap<4, TaskId> sends_;                                 // (replica, hop)
  std::vector<std::pair<std::pair<int, HopKey>, TaskId>> recvs_;
  IntMap<4, TaskId> last_of_piece_;                         // (replica, mb, chunk, forward?)
  IntMap<7, TaskId> shared_;                                // (rank, share key) -> the shared comm task
  std::map<std::vector<std::int32_t>, std::uint32_t> groups_;  // GPU ids -> graph comm group
  IntMap<2, std::uint32_t> ep_groups_;                      // (EP group, rank) -> graph comm group
  IntMap<5, std::vector<Item>> chains_;                     // (EP group, rank, stage, mb, part)
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

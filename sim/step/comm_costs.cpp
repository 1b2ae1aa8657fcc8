#include "sim/step/comm_costs.h"

#include <algorithm>
#include <memory>
#include <span>

#include "sim/core/format.h"
#include "sim/hw/catalog.h"
#include "sim/net/all_to_all_bound.h"
#include "sim/net/analytic_comm_model.h"
#include "sim/net/deepep_kernels.h"
#include "sim/net/token_routing.h"

namespace deepsim {
namespace {

Bandwidth nic_bw(const ClusterSpec& c) { return c.nic.line_rate * c.nic.achievable; }
Bandwidth nvlink_bw(const ClusterSpec& c) { return c.gpu.nvlink_per_direction * c.gpu.nvlink_achievable; }

// The link loads of EP group `group`'s uniform routing sample, per byte of a token copy.
AllToAllLoad group_load(const Scenario& s, const EpGroupShape& g, int group, RoutingSampleCache* cache) {
  const ModelSpec& m = s.model;
  const int tokens = s.parallel.micro_batch_size * s.training.seq_len / s.parallel.cp;  // per GPU (CP: its 1/cp)
  const GroupLimitedTopK shape{m.moe.routed_experts, m.moe.expert_groups, m.moe.limited_groups, m.moe.top_k};
  const auto sample = [&] {
    Rng rng = Rng(s.seed).fork("routing").fork(static_cast<std::uint64_t>(group));
    return all_to_all_load(g, sample_group_limited_routing(shape, s.parallel.ep, tokens, rng), 1.0);
  };
  if (cache != nullptr) return *cache->get({s.seed, group, s.parallel.ep, tokens, shape, g.gpus_per_node}, sample);
  return sample();
}

// DeepEP's low-latency kernels (deepep_kernels.h; R25, pure RDMA): every (token, expert) selection is its
// own message to the expert's GPU, none de-duplicated per node or forwarded over NVLink, so each member
// sends and receives (1 - 1/ep) x tokens x top_k messages through its own NIC (uniform routing: a
// receiver's share of the selections is the sender's). The handle's load is per byte of a message; the
// ops carry the message sizes.
void low_latency_all_to_all(const Scenario& s, CommCosts& out) {
  const ModelSpec& m = s.model;
  const int ep = s.parallel.ep;
  const double tokens = static_cast<double>(s.parallel.micro_batch_size) * s.training.seq_len / s.parallel.cp;
  const double messages = (1.0 - 1.0 / ep) * tokens * m.moe.top_k;
  AllToAllLoad unit;
  unit.nic_out.assign(static_cast<std::size_t>(ep), messages);
  unit.nic_in.assign(static_cast<std::size_t>(ep), messages);
  unit.nvlink_out.assign(static_cast<std::size_t>(ep), 0.0);
  unit.nvlink_in.assign(static_cast<std::size_t>(ep), 0.0);
  unit.ib_bytes = messages * ep;
  const Time latency = s.cluster.nic.latency_cross_leaf;
  const std::uint32_t handle = out.planner->add_routing(std::move(unit), latency, DeepEpKernels::kLowLatency);
  out.moe.routing = [handle](int, int, int) { return handle; };
  out.moe.dispatch_bytes_per_token = Bytes(deepep_low_latency_dispatch_bytes(m.hidden));
  out.moe.bf16_bytes_per_token = Bytes(deepep_low_latency_combine_bytes(m.hidden));
  out.moe.low_latency = true;
  const Bandwidth nic = nic_bw(s.cluster);
  const int per_gpu = static_cast<int>(tokens);
  out.notes.push_back(
      "MoE all-to-all: DeepEP low-latency kernels (pure RDMA, a message per token and expert, no SMs held, uniform "
      "routing: expert imbalance does not change their traffic): dispatch " +
      format_time(deepep_low_latency_time(ep, per_gpu, m.moe.top_k, deepep_low_latency_dispatch_bytes(m.hidden), nic, latency)) +
      " (" + fixed(deepep_low_latency_dispatch_bytes(m.hidden), 0) + " B messages), combine " +
      format_time(deepep_low_latency_time(ep, per_gpu, m.moe.top_k, deepep_low_latency_combine_bytes(m.hidden), nic, latency)) +
      " alone on the NICs");
}

void moe_all_to_all(const Scenario& s, const Placement& placement, int groups, const MoeEffects* effects,
                    const std::vector<StageLayers>& layers, RoutingSampleCache* cache, CommCosts& out) {
  const ModelSpec& m = s.model;
  const int ep = s.parallel.ep;
  if (!m.is_moe() || ep <= 1) {
    out.notes.push_back("no expert-parallel all-to-all (ep = 1 or a dense model)");
    return;
  }
  const EpGroupShape g = ep_group_shape(s);
  out.moe.dispatch_bytes_per_token = Bytes(dispatch_bytes_per_token(m.hidden));
  out.moe.bf16_bytes_per_token = Bytes(combine_bytes_per_token(m.hidden));
  out.moe.members = [placement](int group, int rank) {
    std::vector<std::int32_t> gpus;
    for (GpuId id : placement.ep_group_members(rank, group)) gpus.push_back(static_cast<std::int32_t>(id.value()));
    return gpus;
  };
  CollectivePlanner& planner = *out.planner;
  if (s.parallel.deepep_mode == DeepEpMode::kLowLatency) {
    low_latency_all_to_all(s, out);
    return;
  }
  if (effects != nullptr) {
    // Each MoE layer's all-to-alls from its own routing sample (stage position -> model layer).
    std::vector<std::uint32_t> handles;
    for (const LayerMoeEffect& e : effects->samples)
      handles.push_back(planner.add_routing(e.unit_load, g.latency, DeepEpKernels::kNormal));
    const int first = effects->first_moe_layer;
    const auto samples = handles.size();
    out.moe.routing = [handles, first, samples, layers](int, int stage, int li) {
      const int layer = layers[static_cast<std::size_t>(stage)].first_layer + li;
      return handles[static_cast<std::size_t>(layer - first) % samples];
    };
    return;
  }
  std::vector<std::uint32_t> handles;
  AllToAllLoad first;
  for (int k = 0; k < std::max(1, groups); ++k) {
    AllToAllLoad unit = group_load(s, g, k, cache);
    if (k == 0) first = unit;
    handles.push_back(planner.add_routing(std::move(unit), g.latency, DeepEpKernels::kNormal));
  }
  out.moe.routing = [handles](int group, int, int) { return handles[static_cast<std::size_t>(group)]; };
  const int tokens = s.parallel.micro_batch_size * s.training.seq_len / s.parallel.cp;  // per GPU (CP: its 1/cp)
  auto scaled = [&](double bytes) {
    AllToAllLoad l = first;
    for (auto* v : {&l.nic_out, &l.nic_in, &l.nvlink_out, &l.nvlink_in})
      for (double& x : *v) x *= bytes;
    return all_to_all_time(g, l);
  };
  const DeepEpKernelSpec k = deepep_kernel_spec(s.cluster, s.parallel.comm_sms);
  const DeepEpKernelTime fwd = deepep_pass_time(g, first, 1.0, DeepEpKernel::kDispatch, DeepEpPass::kForward, m.hidden, k);
  out.notes.push_back("MoE all-to-all: uniform group-limited routing sample (" +
                      fixed(first.unique_token_nodes / (static_cast<double>(ep) * tokens), 3) +
                      " nodes per token), DeepEP normal kernels (NVLink forwarding); bottleneck link alone: forward "
                      "dispatch " +
                      format_time(scaled(dispatch_bytes_per_token(m.hidden))) + ", BF16 all-to-all " +
                      format_time(scaled(combine_bytes_per_token(m.hidden))) + "; with the kernels' floor, forward dispatch " +
                      format_time(fwd.total) + " (notify " + format_time(fwd.notify) + ", " +
                      std::to_string(s.parallel.comm_sms) + " SMs copy in " + format_time(fwd.sm_copies) + ": " +
                      (fwd.sm_bound() ? "SM-bound" : "link-bound") + ")");
}

std::vector<std::int32_t> ids(const std::vector<GpuId>& gpus) {
  std::vector<std::int32_t> out;
  for (GpuId g : gpus) out.push_back(static_cast<std::int32_t>(g.value()));
  return out;
}

// One `kind` op of `bytes` over `group` as the analytic model times it alone, formatted for a run note (a
// scratch model: only its closed forms are read).
std::string note_time(CollectivePlanner& planner, CommKind kind, Bytes bytes, std::span<const std::int32_t> group) {
  AnalyticCommModel timing(planner);
  CommOp op;
  op.kind = kind;
  op.bytes = bytes;
  return format_time(timing.time(op, group));
}

const char* overlap_note(TpCommOverlap o) {
  switch (o) {
    case TpCommOverlap::kNone: return "; blocking the compute stream (no TP comm overlap)";
    case TpCommOverlap::kAsyncGrad:
      return "; the forward's blocking, the backward's input-gradient reductions on the comm stream beside the weight "
             "gradient (async-grad)";
    case TpCommOverlap::kUserBuffers:
      return "; attention and dense-FFN blocks overlap their collectives in tp chunks, 1/tp of each gather and "
             "reduce-scatter exposed (userbuffers); MoE blocks and the re-run forward's blocking";
  }
  return "";
}

// Megatron's TP collectives (step_inputs.h TpComm), with a note giving each one's closed-form time on the
// representative TP group (stage 0, DP rank 0) and the links it crosses.
void tensor_parallel(const Scenario& s, const Placement& placement, CommCosts& out) {
  const ParallelSpec& p = s.parallel;
  if (p.tp <= 1) return;
  const ModelSpec& m = s.model;
  out.tp.members = [placement](int replica, int rank) { return ids(placement.tp_group(rank, replica)); };
  // The rank's tokens: micro-batch x seq_len / cp under context parallelism.
  out.tp.bytes = Bytes(static_cast<double>(p.micro_batch_size) * s.training.seq_len * m.hidden * 2.0 / p.cp);
  out.tp.sequence_parallel = p.sequence_parallel;
  out.tp.overlap = p.tp_comm_overlap;
  out.tp.tp = p.tp;
  out.tp.rerun_forward = s.training.recompute == RecomputeMode::kFull;
  out.tp.moe_reduce = m.moe.shared_experts > 0;
  const std::vector<std::int32_t> group = out.tp.members(0, 0);
  auto time_of = [&](CommKind kind) { return note_time(*out.planner, kind, out.tp.bytes, group); };
  const int nodes = (p.tp + s.cluster.gpus_per_node - 1) / s.cluster.gpus_per_node;
  const std::string where = nodes == 1 ? "inside one node on NVLink"
                                       : "spanning " + std::to_string(nodes) + " nodes over InfiniBand (NVLink inside each)";
  const std::string collectives =
      p.sequence_parallel ? "an all-gather before and a reduce-scatter after each block, forward and backward, and "
                            "the backward's re-gather of each block's input for its weight gradient (" +
                                time_of(CommKind::kAllGather) + " / " + time_of(CommKind::kReduceScatter) + " each)"
                          : "an all-reduce per block forward and backward (" + time_of(CommKind::kAllReduce) + " each)";
  std::string moe;
  if (m.is_moe())
    moe = m.moe.shared_experts > 0 ? "; MoE blocks: routed experts whole per GPU, the TP-split shared experts reduced"
                                   : "; MoE blocks reduce nothing (no shared experts: routed experts are whole per GPU)";
  out.notes.push_back("TP" + std::to_string(p.tp) + " " + where + ": " + collectives + " of " +
                      fixed(out.tp.bytes.value() / 1e6, 1) + " MB (micro-batch x seq x hidden, BF16)" +
                      (out.tp.rerun_forward ? ", the forward's again under full recompute" : "") + moe +
                      overlap_note(p.tp_comm_overlap));
}

// Expert TP (step_inputs.h EtpComm), with a note of each collective's closed-form time on the
// representative ETP group (stage 0's first GPUs) and the links it crosses.
void expert_tensor_parallel(const Scenario& s, const Placement& placement, CommCosts& out) {
  const ParallelSpec& p = s.parallel;
  const ModelSpec& m = s.model;
  if (p.expert_tp <= 1 || !m.is_moe()) return;
  out.etp.expert_tp = p.expert_tp;
  out.etp.members = [placement](int gpu) { return ids(placement.etp_group(GpuId(static_cast<GpuId::rep>(gpu)))); };
  // The copies the dispatch brings a GPU, on average its own tokens x top_k; gathered over expert_tp GPUs.
  const double tokens = static_cast<double>(p.micro_batch_size) * s.training.seq_len / p.cp;
  out.etp.bytes = Bytes(p.expert_tp * tokens * m.moe.top_k * m.hidden * 2.0);
  const std::vector<std::int32_t> group = out.etp.members(0);
  auto time_of = [&](CommKind kind) { return note_time(*out.planner, kind, out.etp.bytes, group); };
  const int g = s.cluster.gpus_per_node;
  const int nodes = (p.expert_tp + g - 1) / g;
  const std::string where = nodes == 1 ? "inside one node on NVLink"
                                       : "spanning " + std::to_string(nodes) + " nodes over InfiniBand (NVLink inside each)";
  out.notes.push_back("expert TP" + std::to_string(p.expert_tp) + " " + where + ": per MoE layer an all-gather of the " +
                      "dispatched tokens before the experts and a reduce-scatter after them, forward and backward (" +
                      time_of(CommKind::kAllGather) + " / " + time_of(CommKind::kReduceScatter) + " each) of " +
                      fixed(out.etp.bytes.value() / 1e6, 1) + " MB (expert_tp x tokens x top_k x hidden, BF16), on the comm " +
                      "stream beside the all-to-alls; EP groups of " + std::to_string(p.ep) + " GPUs at stride " +
                      std::to_string(p.expert_tp) + ", each expert's FFN split over " + std::to_string(p.expert_tp) + " GPUs");
}

// The CP ring (step_inputs.h CpComm), with a note of one forward step's closed-form time on the
// representative ring (stage 0, DP rank 0, TP rank 0) and where it runs.
void context_parallel(const Scenario& s, const Placement& placement, CommCosts& out) {
  const ParallelSpec& p = s.parallel;
  if (p.cp <= 1) return;
  out.cp.cp = p.cp;
  out.cp.members = [placement](int replica, int rank) { return ids(placement.cp_group(rank, replica)); };
  const double tokens = static_cast<double>(p.micro_batch_size) * s.training.seq_len / p.cp;
  out.cp.forward_bytes = Bytes(tokens * cp_kv_bytes_per_token(s.model, p.tp));
  out.cp.backward_bytes = out.cp.forward_bytes * 2.0;
  const std::vector<std::int32_t> ring = out.cp.members(0, 0);
  const std::string hop = note_time(*out.planner, CommKind::kRingShift, out.cp.forward_bytes, ring);
  const int g = s.cluster.gpus_per_node;
  const int nodes = (p.tp * p.cp + g - 1) / g;
  const std::string where = nodes == 1 ? "inside one node on NVLink"
                                       : "over " + std::to_string(nodes) + " nodes (hops between nodes on InfiniBand)";
  const bool rerun = s.training.recompute == RecomputeMode::kFull || s.training.recompute == RecomputeMode::kSelective;
  out.notes.push_back("CP" + std::to_string(p.cp) + " ring " + where + ": per attention layer and micro-batch " +
                      std::to_string(p.cp - 1) + " sends of the rank's K/V chunk (" +
                      fixed(out.cp.forward_bytes.value() / 1e6, 1) + " MB, " + hop +
                      " each alone) forward, K/V + dK/dV backward" + (rerun ? ", the forward's again for the re-run core" : "") +
                      ", overlapped with the core's " + std::to_string(p.cp) +
                      " steps; load-balanced causal split (chunks i, 2cp-1-i)");
}

void data_parallel(const Scenario& s, const KernelModel& model, const StaticAnalysis& a, const Placement& placement,
                   int ranks, CommCosts& out) {
  const ParallelSpec& p = s.parallel;
  // Megatron reduces gradients (and shards ZeRO-1 state) over the DP-CP group: CP ranks hold the same
  // parameters and see different tokens, like DP replicas.
  const int dense_n = p.dp * p.cp;
  const int expert_n = p.dp * p.tp * p.cp / (p.ep * p.expert_tp);
  const bool fp8 = s.training.precision == "fp8";
  std::string algorithms;
  for (int r = 0; r < ranks; ++r) {
    const auto& st = a.memory.stages[static_cast<std::size_t>(std::min<std::size_t>(static_cast<std::size_t>(r), a.memory.stages.size() - 1))];
    const double dense = static_cast<double>(st.dense_params), expert = static_cast<double>(st.expert_params);
    // The representative GPU is (stage r, dp 0, cp 0, tp 0): its dense DP group is the stage's dp x cp
    // GPUs of tp rank 0; its experts' DP group is EP rank 0 of every EP group of the stage with its ETP
    // rank (expert TP: the GPUs holding the same shard of the same experts).
    const GpuId gpu = placement.gpu({r, 0, 0});
    const int ep_rank = placement.ep_rank(gpu);
    const int etp_rank = placement.etp_rank(gpu);
    std::vector<std::int32_t> expert_group;
    for (int k = 0; k < placement.ep_groups_per_stage(); ++k)
      if (k % p.expert_tp == etp_rank)
        expert_group.push_back(static_cast<std::int32_t>(placement.ep_group_members(r, k)[static_cast<std::size_t>(ep_rank)].value()));
    std::vector<DpSync> syncs;
    auto sync = [&](std::vector<std::int32_t> members, double params, const char* what) {
      DpSync d;
      d.members = std::move(members);
      d.grad_bytes = Bytes(params * 4.0);
      d.param_bytes = p.zero_stage >= 1 ? Bytes(params * 2.0) : Bytes(0);
      d.what = what;
      d.expert = std::string(what) == "expert";
      if (params > 0 && d.members.size() > 1) syncs.push_back(std::move(d));
    };
    sync(ids(placement.dp_cp_group(r, 0)), dense, "dense");
    sync(std::move(expert_group), expert, "expert");
    if (r == 0) {
      for (const DpSync& d : syncs) {
        CommOp op;
        op.kind = p.zero_stage >= 1 ? CommKind::kReduceScatter : CommKind::kAllReduce;
        const CommShape& shape = out.planner->shape(op, d.members);
        if (!algorithms.empty()) algorithms += ", ";
        algorithms += std::string(d.what) + " " + to_string(shape.algorithm) + " over " + std::to_string(d.members.size()) + " GPUs";
        if (shape.algorithm == CommAlgorithm::kHierarchical)
          algorithms += " (" + std::to_string(shape.hierarchical.nodes) + " nodes x " + std::to_string(shape.hierarchical.per_node) + ")";
      }
    }
    out.dp_sync.push_back(std::move(syncs));
    // AdamW on the shard: master r+w (8 B), gradient r (4 B), moments r+w (BF16: 8 B, FP32: 16 B), BF16 weight w (2 B).
    const double shard = p.zero_stage >= 1 ? dense / dense_n + expert / std::max(1, expert_n) : dense + expert;
    const double bytes = shard * (fp8 ? 22.0 : 30.0);
    out.optimizer.push_back(model.time(OpWork{OpFamily::kMemoryBound, Flops(0), Bytes(bytes), 0, 0, 0, 1}, s.cluster.gpu.sms));
  }
  const std::string grads =
      p.zero_stage >= 2 ? (p.grad_bucket_mb > 0 ? "in " + fixed(p.grad_bucket_mb, 0) + " MB buckets" : "one bucket per chunk") +
                              std::string(" after every micro-batch's backward (gradients sharded over dp: one reduce-scatter per micro-batch, ") +
                              std::to_string(p.micro_batches) + " per step)"
      : p.grad_bucket_mb > 0 ? "in " + fixed(p.grad_bucket_mb, 0) + " MB buckets as the last backward frees them"
                             : "after the last backward";
  const std::string params = p.overlap_param_gather ? "overlapped with the next forward" : "after the optimizer";
  out.notes.push_back(std::string(p.zero_stage >= 1 ? "ZeRO-" + std::to_string(p.zero_stage) + " DP sync: gradient reduce-scatter (FP32) " + grads +
                                                           ", parameter all-gather (BF16) " + params
                                                     : "ZeRO-0 DP sync: gradient all-reduce (FP32) " + grads) +
                      "; rank 0: " + (algorithms.empty() ? std::string("none") : algorithms));
}

}  // namespace

double cp_kv_bytes_per_token(const ModelSpec& m, int tp) {
  const AttentionSpec& a = m.attention;
  if (a.kind == AttentionKind::kMla) {
    const double heads = static_cast<double>(a.heads / tp);
    return 2.0 * heads * static_cast<double>(a.qk_nope_head_dim + a.qk_rope_head_dim + a.v_head_dim);
  }
  const int kv = a.kv_heads > 0 ? a.kv_heads : a.heads;
  const double kv_heads = kv >= tp ? static_cast<double>(kv / tp) : 1.0;
  return 2.0 * kv_heads * 2.0 * static_cast<double>(a.head_dim);
}

EpGroupShape ep_group_shape(const Scenario& s) {
  EpGroupShape g;
  g.gpus = s.parallel.ep;
  // Expert TP: an EP group is ep GPUs at stride expert_tp, so G / expert_tp of them share a node.
  g.gpus_per_node = ep_gpus_per_node(s.parallel.ep, s.parallel.expert_tp, s.cluster.gpus_per_node);
  g.nic = nic_bw(s.cluster);
  g.nvlink = nvlink_bw(s.cluster);
  const bool spans_nodes = s.parallel.ep * s.parallel.expert_tp > s.cluster.gpus_per_node;
  g.latency = (spans_nodes ? s.cluster.nic.latency_cross_leaf : Time::zero()) + nvlink_hop_latency();
  return g;
}

CommCosts comm_costs(const Scenario& s, const KernelModel& model, const StaticAnalysis& analysis, const Placement& placement,
                     int ranks, int groups, const MoeEffects* effects, const std::vector<StageLayers>& layers,
                     RoutingSampleCache* routing_cache) {
  CommCosts out;
  auto fabric = std::make_shared<Topology>(build_topology(s.cluster));
  out.planner = std::make_shared<CollectivePlanner>(*fabric);
  out.topology = std::move(fabric);
  moe_all_to_all(s, placement, groups, effects, layers, routing_cache, out);
  tensor_parallel(s, placement, out);
  context_parallel(s, placement, out);
  expert_tensor_parallel(s, placement, out);
  out.activation_bytes =
      Bytes(static_cast<double>(s.parallel.micro_batch_size) * s.training.seq_len * s.model.hidden * 2.0 / s.parallel.tp /
            s.parallel.cp);
  data_parallel(s, model, analysis, placement, ranks, out);
  return out;
}

}  // namespace deepsim

#include "sim/scenario/validate.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "sim/core/error.h"
#include "sim/parallel/placement.h"
#include "sim/scenario/scalar_codec.h"

namespace deepsim {
namespace {

using std::to_string;

[[noreturn]] void fail(const SourceMap& src, const std::string& path, const std::string& message,
                       const std::string& hint = {}) {
  throw InputError(src.key_pos(path), path, message, hint);
}

bool is_two_layer(TopologyKind k) { return k != TopologyKind::kFatTree3; }

void check_cluster(const Scenario& s, const SourceMap& src) {
  const ClusterSpec& c = s.cluster;
  if (s.training.precision == "fp8" && c.gpu.fp8_dense.per_s() <= 0)
    fail(src, "training.precision",
         "the " + c.gpu.name + " (" + c.gpu.description + ") has no FP8 tensor cores, so the FP8 recipe cannot run",
         "set training.precision: bf16");
  if (c.gpus_per_node > c.gpu.nvlink_domain)
    fail(src, "cluster.gpus_per_node",
         "gpus_per_node = " + to_string(c.gpus_per_node) + " exceeds the " + to_string(c.gpu.nvlink_domain) +
             " GPUs one NVLink domain of the " + c.gpu.name + " joins",
         "set gpus_per_node to at most " + to_string(c.gpu.nvlink_domain));
  if (c.gpus_per_node % c.nics_per_node != 0)
    fail(src, "cluster.nics_per_node",
         "gpus_per_node = " + to_string(c.gpus_per_node) +
             " is not a multiple of nics_per_node = " + to_string(c.nics_per_node),
         "every NIC serves the same number of GPUs; H800 nodes have one NIC per GPU");
  const TopologySpec& t = c.topology;
  if (t.kind == TopologyKind::kMultiPlaneFatTree && t.planes != c.nics_per_node)
    fail(src, "cluster.topology.planes",
         "a multi-plane fat-tree puts NIC i of every node in plane i, so planes must equal nics_per_node = " +
             to_string(c.nics_per_node) + ", got " + to_string(t.planes),
         "set planes: " + to_string(c.nics_per_node));
  // Endpoints one plane can reach: a leaf gives radix*o/(o+1) ports to NICs and the rest to spines; a
  // spine reaches radix leaves (two layers), a three-layer tree radix/2 leaves per pod in radix pods.
  const auto down = static_cast<std::int64_t>(t.switch_radix * t.oversubscription / (t.oversubscription + 1));
  const std::int64_t radix = t.switch_radix;
  const std::int64_t capacity = is_two_layer(t.kind) ? radix * down : radix * (radix / 2) * down;
  const std::int64_t per_plane =
      t.kind == TopologyKind::kMultiPlaneFatTree ? c.nodes : static_cast<std::int64_t>(c.nodes) * c.nics_per_node;
  if (per_plane > capacity)
    fail(src, "cluster.nodes",
         to_string(per_plane) + " NIC ports per plane exceed the " + to_string(capacity) + " that a " +
             (is_two_layer(t.kind) ? "two" : "three") + "-layer fat-tree of " + to_string(t.switch_radix) +
             "-port switches reaches",
         "use fewer nodes, larger switches, or topology.kind ft3");
}

void check_attention(const ModelSpec& m, const SourceMap& src) {
  const AttentionSpec& a = m.attention;
  auto need_positive = [&](int v, const char* key, const char* kind) {
    if (v <= 0)
      fail(src, std::string("model.attention.") + key,
           std::string(key) + " must be positive for attention.kind " + kind + ", got " + to_string(v),
           std::string("set model.attention.") + key + ", or use a preset");
  };
  if (a.kind == AttentionKind::kMla) {
    need_positive(a.kv_lora_rank, "kv_lora_rank", "mla");
    need_positive(a.qk_nope_head_dim, "qk_nope_head_dim", "mla");
    need_positive(a.qk_rope_head_dim, "qk_rope_head_dim", "mla");
    need_positive(a.v_head_dim, "v_head_dim", "mla");
    return;
  }
  need_positive(a.kv_heads, "kv_heads", "gqa");
  need_positive(a.head_dim, "head_dim", "gqa");
  if (a.heads % a.kv_heads != 0)
    fail(src, "model.attention.kv_heads",
         "heads = " + to_string(a.heads) + " is not a multiple of kv_heads = " + to_string(a.kv_heads),
         "each key/value head serves the same number of query heads");
}

void check_moe(const ModelSpec& m, const SourceMap& src) {
  const MoeSpec& e = m.moe;
  const bool any_dense = !m.is_moe() || e.first_dense_layers > 0 || e.moe_layer_freq > 1;
  if (any_dense && m.dense_intermediate <= 0)
    fail(src, "model.dense_intermediate", "the model has dense FFN layers, so dense_intermediate must be positive",
         "set model.dense_intermediate");
  if (!m.is_moe()) return;
  if (e.expert_intermediate <= 0)
    fail(src, "model.moe.expert_intermediate",
         "an MoE model (routed_experts > 0) needs a positive expert_intermediate");
  if (e.top_k <= 0) fail(src, "model.moe.top_k", "an MoE model (routed_experts > 0) needs top_k >= 1");
  if (e.top_k > e.routed_experts)
    fail(src, "model.moe.top_k",
         "top_k = " + to_string(e.top_k) + " exceeds routed_experts = " + to_string(e.routed_experts));
  if (e.routed_experts % e.expert_groups != 0)
    fail(src, "model.moe.expert_groups",
         "routed_experts = " + to_string(e.routed_experts) + " do not split into " + to_string(e.expert_groups) +
             " equal groups",
         "expert_groups must divide routed_experts (V3: 256 experts in 8 groups)");
  if (e.limited_groups > e.expert_groups)
    fail(src, "model.moe.limited_groups",
         "limited_groups = " + to_string(e.limited_groups) + " exceeds expert_groups = " + to_string(e.expert_groups),
         "a token can reach at most every group");
  if (e.top_k > e.limited_groups * (e.routed_experts / e.expert_groups))
    fail(src, "model.moe.top_k",
         "top_k = " + to_string(e.top_k) + " exceeds the " +
             to_string(e.limited_groups * (e.routed_experts / e.expert_groups)) +
             " experts in limited_groups = " + to_string(e.limited_groups) + " groups");
  if (e.first_dense_layers > m.layers)
    fail(src, "model.moe.first_dense_layers",
         "first_dense_layers = " + to_string(e.first_dense_layers) + " exceeds layers = " + to_string(m.layers));
}

void check_gpu_count(const Scenario& s, const SourceMap& src) {
  const ParallelSpec& p = s.parallel;
  const std::int64_t ranks = static_cast<std::int64_t>(p.pp) * p.dp * p.tp * p.cp;
  const std::int64_t gpus = static_cast<std::int64_t>(s.cluster.nodes) * s.cluster.gpus_per_node;
  if (ranks == gpus) return;
  const std::int64_t pp_tp = static_cast<std::int64_t>(p.pp) * p.tp * p.cp;
  const std::string others = p.cp > 1 ? "pp x tp x cp" : "pp x tp";
  fail(src, "parallel.dp",
       "rule: " + (p.cp > 1 ? std::string("pp x dp x tp x cp uses every GPU: pp x dp x tp x cp = ")
                          : std::string("pp x dp x tp uses every GPU: pp x dp x tp = ")) + to_string(ranks) + " but the cluster has " +
           to_string(gpus) + " GPUs (" + to_string(s.cluster.nodes) + " nodes x " + to_string(s.cluster.gpus_per_node) + ")",
       gpus % pp_tp == 0 ? "dp = " + to_string(gpus) + " / (" + others + ") = " + to_string(gpus / pp_tp) + " uses every GPU"
                         : others + " = " + to_string(pp_tp) + " does not divide " + to_string(gpus) + " GPUs");
}

// Context parallelism (Megatron-CP): the load-balanced causal split cuts every sequence into 2 x cp equal
// chunks; the ring's chunk pairs are flash-attention kernels. Where a ring may sit is a placement rule
// (check_placement).
void check_context_parallel(const Scenario& s, const SourceMap& src) {
  const ParallelSpec& p = s.parallel;
  if (p.cp <= 1) return;
  if (s.training.seq_len % (2 * p.cp) != 0)
    fail(src, "parallel.cp",
         "cp = " + to_string(p.cp) + " with training.seq_len = " + to_string(s.training.seq_len) +
             ", not a multiple of 2 x cp = " + to_string(2 * p.cp),
         "the load-balanced causal split gives each CP rank chunks i and 2cp-1-i of 2 x cp equal chunks; choose a cp "
         "whose 2 x cp divides seq_len");
  if (s.model.attention.core != AttentionCore::kFlash)
    fail(src, "parallel.cp",
         "cp = " + to_string(p.cp) + " with model.attention.core: unfused; ring attention runs each chunk pair as a "
         "flash-attention kernel (the S x S scores are never whole on one rank)",
         "set model.attention.core: flash, or parallel.cp: 1");
}

void check_degrees(const Scenario& s, const SourceMap& src) {
  const ParallelSpec& p = s.parallel;
  const ModelSpec& m = s.model;
  const int dp_tp = p.dp * p.tp * p.cp;
  if (!m.is_moe() && p.ep != 1)
    fail(src, "parallel.ep", "ep = " + to_string(p.ep) + " but the model is dense (model.moe.routed_experts = 0)",
         "set parallel.ep: 1");
  if (dp_tp % p.ep != 0)
    fail(src, "parallel.ep",
         "rule: an EP group lies inside one stage: ep = " + to_string(p.ep) + " does not divide " +
             (p.cp > 1 ? "dp x tp x cp = " : "dp x tp = ") + to_string(dp_tp) +
             " (EP is drawn from the DP ranks of one pipeline stage)",
         "choose a divisor of " + to_string(dp_tp));
  if (m.is_moe() && m.moe.routed_experts % p.ep != 0)
    fail(src, "parallel.ep",
         "model.moe.routed_experts = " + to_string(m.moe.routed_experts) +
             " is not a multiple of ep = " + to_string(p.ep),
         "every EP rank holds the same number of experts");
  if (p.expert_tp > 1 && !m.is_moe())
    fail(src, "parallel.expert_tp",
         "expert_tp = " + to_string(p.expert_tp) + " but the model is dense (model.moe.routed_experts = 0)",
         "expert tensor parallelism splits routed experts; set parallel.expert_tp: 1");
  if (p.expert_tp > 1 && m.moe.expert_intermediate % p.expert_tp != 0)
    fail(src, "parallel.expert_tp",
         "model.moe.expert_intermediate = " + to_string(m.moe.expert_intermediate) + " is not a multiple of expert_tp = " +
             to_string(p.expert_tp),
         "expert tensor parallelism splits each routed expert's inner size into expert_tp equal parts");
  if (m.attention.heads % p.tp != 0)
    fail(src, "parallel.tp",
         "model.attention.heads = " + to_string(m.attention.heads) + " is not a multiple of tp = " + to_string(p.tp),
         "tensor parallelism splits attention by heads");
  if (p.comm_sms >= s.cluster.gpu.sms)
    fail(src, "parallel.comm_sms",
         "comm_sms = " + to_string(p.comm_sms) + " leaves no SMs for compute: the " + s.cluster.gpu.name + " has " +
             to_string(s.cluster.gpu.sms),
         "DeepSeek-V3 gives 20 of 132 SMs to communication");
  if (p.overlap_param_gather && p.zero_stage == 0)
    fail(src, "parallel.overlap_param_gather",
         "overlap_param_gather = true with zero_stage = 0: without ZeRO every rank updates its own full copy, so there "
         "is no parameter all-gather to overlap",
         "set parallel.zero_stage: 1 or 2, or drop overlap_param_gather");
  // Per rank: a CP rank holds seq_len / cp tokens of each sequence.
  const std::int64_t tokens = static_cast<std::int64_t>(p.micro_batch_size) * s.training.seq_len / std::max(1, p.cp);
  if (p.sequence_parallel && p.tp > 1 && tokens % p.tp != 0)
    fail(src, "parallel.sequence_parallel",
         "sequence_parallel = true with micro_batch_size x seq_len = " + to_string(tokens) +
             " tokens, not a multiple of tp = " + to_string(p.tp),
         "sequence parallelism splits a micro-batch's tokens into tp equal shards; choose a seq_len divisible by tp");
  if (p.tp_comm_overlap == TpCommOverlap::kUserBuffers && !p.sequence_parallel)
    fail(src, "parallel.tp_comm_overlap",
         "tp_comm_overlap = userbuffers without sequence_parallel: Megatron's --tp-comm-overlap (Transformer Engine "
         "userbuffers) overlaps the all-gather and reduce-scatter of sequence parallelism, and requires it",
         "set parallel.sequence_parallel: true, or use tp_comm_overlap: async-grad (the backward's all-reduce beside "
         "the weight gradient)");
  if (p.deepep_mode == DeepEpMode::kLowLatency && s.cluster.nodes < 2)
    fail(src, "parallel.deepep_mode",
         "deepep_mode = low-latency on one node: DeepEP's low-latency kernels send every (token, expert) selection "
         "over RDMA, through the NICs, and a one-node cluster has no InfiniBand fabric in this model",
         "use deepep_mode: normal (NVLink inside the node), or cluster.nodes >= 2");
  check_context_parallel(s, src);
}

// The placement rules of sim/parallel/placement.h (TP, EP and stages against the nodes), each named in
// its error; the GPU count and EP inside a stage are checked above with their own wording.
void check_placement(const Scenario& s, const SourceMap& src) {
  const ParallelSpec& p = s.parallel;
  const PlacementProblem why =
      placement_problem(p.pp, p.dp, p.tp, p.ep, s.cluster.nodes, s.cluster.gpus_per_node, p.cp, p.expert_tp);
  if (!why.ok()) fail(src, why.key, why.describe(), why.hint);
}

// Tensor parallelism splits every column- and row-parallel matrix by tp: each split size must divide.
// Caught here with the key to blame; the op builder used to stop on an internal assertion instead.
void check_tp_splits(const Scenario& s, const SourceMap& src) {
  const ModelSpec& m = s.model;
  const int tp = s.parallel.tp;
  if (tp <= 1) return;
  const auto need = [&](std::int64_t size, const std::string& key, const std::string& what) {
    if (size % tp == 0) return;
    fail(src, key, key + " = " + to_string(size) + " is not a multiple of parallel.tp = " + to_string(tp),
         "tensor parallelism splits " + what + " into tp equal parts; choose a tp that divides it");
  };
  bool dense_layers = false;
  for (int l = 0; l < m.layers && !dense_layers; ++l) dense_layers = !m.is_moe_layer(l);
  if (dense_layers) need(m.dense_intermediate, "model.dense_intermediate", "the dense FFN's inner size");
  if (m.is_moe() && m.moe.shared_experts > 0)
    need(std::int64_t{m.moe.shared_experts} * m.moe.expert_intermediate, "model.moe.expert_intermediate",
         "the shared experts' inner size (shared_experts x expert_intermediate)");
  need(m.vocab, "model.vocab", "the embedding and output head by vocabulary");
  if (m.attention.kind == AttentionKind::kGqa && m.attention.kv_heads > 0) {
    const int kv = m.attention.kv_heads;
    if (kv >= tp ? kv % tp != 0 : tp % kv != 0)
      fail(src, "model.attention.kv_heads",
           "model.attention.kv_heads = " + to_string(kv) + " and parallel.tp = " + to_string(tp) +
               ": one must be a multiple of the other",
           "KV heads are split by tp, or replicated when there are fewer of them than tp");
  }
}

void check_schedule(const Scenario& s, const SourceMap& src) {
  const ParallelSpec& p = s.parallel;
  const std::string name = to_string(p.schedule);
  if (p.schedule == ScheduleKind::kDualPipe || p.schedule == ScheduleKind::kDualPipeV) {
    if (p.pp % 2 != 0)
      fail(src, "parallel.pp", name + " needs an even pp (it pairs stage i with stage pp-1-i), got " + to_string(p.pp));
    if (p.micro_batches % 2 != 0)
      fail(src, "parallel.micro_batches",
           name + " needs an even number of micro-batches (half enter from each end), got " +
               to_string(p.micro_batches));
  }
  if (p.schedule == ScheduleKind::kInterleaved1F1B) {
    if (p.virtual_stages < 2)
      fail(src, "parallel.virtual_stages",
           "interleaved-1f1b needs virtual_stages >= 2, got " + to_string(p.virtual_stages), "with 1 it is plain 1f1b");
    if (p.micro_batches % p.pp != 0)
      fail(src, "parallel.micro_batches",
           "interleaved-1f1b needs micro_batches to be a multiple of pp = " + to_string(p.pp) + ", got " +
               to_string(p.micro_batches));
  } else if (p.virtual_stages != 1) {
    fail(src, "parallel.virtual_stages",
         "virtual_stages = " + to_string(p.virtual_stages) + " applies only to interleaved-1f1b, not " + name,
         "set virtual_stages: 1 or schedule: interleaved-1f1b");
  }
  const int chunks = p.pp * p.virtual_stages;
  if (s.model.layers < chunks)
    fail(src, "parallel.pp",
         "model.layers = " + to_string(s.model.layers) + " cannot fill pp x virtual_stages = " + to_string(chunks) +
             " pipeline chunks",
         "every chunk needs at least one layer");
}

void check_training(const Scenario& s, const SourceMap& src) {
  const ParallelSpec& p = s.parallel;
  const TrainingSpec& t = s.training;
  const std::int64_t per_step = static_cast<std::int64_t>(p.micro_batch_size) * p.micro_batches * p.dp;
  if (per_step != t.global_batch) {
    const std::int64_t unit = static_cast<std::int64_t>(p.micro_batch_size) * p.dp;
    fail(src, "parallel.micro_batches",
         "micro_batch_size x micro_batches x dp = " + to_string(p.micro_batch_size) + " x " +
             to_string(p.micro_batches) + " x " + to_string(p.dp) + " = " + to_string(per_step) +
             " but training.global_batch = " + to_string(t.global_batch),
         t.global_batch % unit == 0 ? "micro_batches = " + to_string(t.global_batch) +
                                          " / (micro_batch_size x dp) = " + to_string(t.global_batch / unit)
                                    : "global_batch must be a multiple of micro_batch_size x dp = " + to_string(unit));
  }
  if (t.ramp.start_sequences > t.global_batch)
    fail(src, "training.ramp.start_sequences",
         "the ramp starts at " + shortest(t.ramp.start_sequences) +
             " sequences, above global_batch = " + to_string(t.global_batch),
         "a ramp grows the batch up to global_batch");
  if (t.ramp.start_sequences > 0 && t.ramp.ramp_tokens <= 0)
    fail(src, "training.ramp.tokens", "a ramp from " + shortest(t.ramp.start_sequences) + " sequences needs tokens > 0",
         "DeepSeek-V3 ramps over 469B tokens");
  if (t.ramp.ramp_tokens > t.tokens)
    fail(src, "training.ramp.tokens",
         "the ramp (" + count_text(t.ramp.ramp_tokens) + " tokens) is longer than the run (" + count_text(t.tokens) +
             " tokens)");
}

// The `moe:` section against the model and the EP layout (sim/moe's own range and layout checks).
void check_moe_routing(const Scenario& s, const SourceMap& src) {
  if (!s.model.is_moe()) return;
  const auto problems = check_moe_routing_spec(s.moe, s.model.moe, s.parallel.ep,
                                               ep_gpus_per_node(s.parallel.ep, s.parallel.expert_tp, s.cluster.gpus_per_node));
  if (!problems.empty()) fail(src, problems.front().key, problems.front().message, problems.front().hint);
}

// Every reference figure names its source, and a source belongs to a figure.
void check_reference(const Scenario& s, const SourceMap& src) {
  const ReferenceSpec& r = s.reference;
  const struct {
    double value;
    const std::string& source;
    const char* key;
    const char* source_key;
  } figures[] = {{r.step_time_s, r.step_time_source, "reference.step_time_s", "reference.step_time_source"},
                 {r.gpu_hours, r.gpu_hours_source, "reference.gpu_hours", "reference.gpu_hours_source"},
                 {r.cost_usd, r.cost_source, "reference.cost_usd", "reference.cost_source"}};
  if (!r.given() && r.kind != "published")
    fail(src, "reference.kind", "reference.kind is given without a figure",
         "add reference.step_time_s, reference.gpu_hours or reference.cost_usd with its source");
  for (const auto& f : figures) {
    if (f.value > 0 && f.source.empty())
      fail(src, f.key, std::string(f.key) + " is given without its source",
           std::string("add ") + f.source_key + ": the paper and table, or the run it was measured on");
    if (f.value <= 0 && !f.source.empty())
      fail(src, f.source_key, std::string(f.source_key) + " is given without " + f.key,
           std::string("add ") + f.key + ", or remove the source");
  }
}

void check_limits(const Scenario& s, const SourceMap& src) {
  const long long gpus = static_cast<long long>(s.cluster.nodes) * s.cluster.gpus_per_node;
  if (gpus > kMaxClusterGpus)
    fail(src, "cluster.nodes",
         "the cluster has " + to_string(gpus) + " GPUs (nodes x gpus_per_node), over the limit of " +
             to_string(kMaxClusterGpus),
         "deepsim builds the fabric link by link; split the study or scale a smaller cluster");
  const ParallelSpec& p = s.parallel;
  const long long instructions = static_cast<long long>(p.pp) * p.micro_batches * p.virtual_stages;
  if (instructions > kMaxPipelineInstructions)
    fail(src, "parallel.micro_batches",
         "pp x micro_batches x virtual_stages = " + to_string(instructions) + ", over the limit of " +
             to_string(kMaxPipelineInstructions) + " pipeline instructions per step",
         "fewer, larger micro-batches (parallel.micro_batch_size) give the same batch");
}

// A learned position table has one row per position: a longer sequence has no embedding to look up.
void check_positions(const Scenario& s, const SourceMap& src) {
  const int rows = s.model.position_embeddings;
  if (rows > 0 && s.training.seq_len > rows)
    fail(src, "training.seq_len",
         "training.seq_len = " + to_string(s.training.seq_len) + " is longer than the learned position table (" +
             "model.position_embeddings = " + to_string(rows) + ")",
         "raise model.position_embeddings or shorten the sequence");
}

}  // namespace

void validate_scenario(const Scenario& s, const SourceMap& sources) {
  check_limits(s, sources);
  check_cluster(s, sources);
  check_attention(s.model, sources);
  check_moe(s.model, sources);
  check_gpu_count(s, sources);
  check_degrees(s, sources);
  check_placement(s, sources);
  check_tp_splits(s, sources);
  check_schedule(s, sources);
  check_training(s, sources);
  check_positions(s, sources);
  check_moe_routing(s, sources);
  check_reference(s, sources);
}

}  // namespace deepsim

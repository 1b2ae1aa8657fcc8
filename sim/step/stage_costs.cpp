#include "sim/step/stage_costs.h"

#include <algorithm>

#include "sim/model/expert_ops.h"
#include "sim/scenario/scenario.h"
#include "sim/step/op_timing.h"

namespace deepsim {
namespace {

SegmentTime segment(const std::vector<Op>& ops, const KernelModel& model, int sms) {
  return {pass_time(ops, Pass::kForward, model, sms), pass_time(ops, Pass::kDgrad, model, sms),
          pass_time(ops, Pass::kWgrad, model, sms)};
}

SegmentFlops flops_of(const std::vector<Op>& ops) {
  SegmentFlops f;
  for (const Op& op : ops) {
    f.forward += op.fwd;
    f.backward_input += op.dgrad;
    f.backward_weight += op.wgrad;
  }
  return f;
}

void append(std::vector<Op>& to, const std::vector<Op>& from) { to.insert(to.end(), from.begin(), from.end()); }

// Parameters on one GPU, as the memory model counts them: per-expert ops hold every expert of the
// layer, a GPU 1/ep of them (under expert TP the ops' shapes already hold 1/expert_tp of each).
void add_params(const std::vector<Op>& ops, int ep, double& dense, double& expert) {
  for (const Op& op : ops) {
    if (op.per_expert) {
      expert += static_cast<double>(op.params) / std::max(1, ep);
    } else {
      dense += static_cast<double>(op.params);
    }
  }
}

// The ops of one layer for one micro-batch, split where the MoE all-to-alls cut it: attention (with the
// pre-FFN norm and router of an MoE layer) before dispatch, the experts or dense FFN after.
struct LayerPieces {
  std::vector<Op> attention;
  std::vector<Op> mlp;
};

LayerPieces layer_pieces(const ModelSpec& m, int stage, int layer, const StageCostContext& c) {
  LayerPieces p;
  p.attention = attention_ops(m, c.ops);
  if (!m.is_moe_layer(layer)) {
    p.mlp = dense_ffn_ops(m, c.ops);
    return p;
  }
  // moe_ops: pre-FFN norm, router, shared experts, permute, routed experts, combine. The norm and the
  // router run before dispatch; the routed experts are replaced by this GPU's grouped launch.
  for (const Op& op : moe_ops(m, c.ops)) {
    if (op.per_expert) continue;
    // (".recompute" clones of these under full recompute go with them.)
    if (op.kind == OpKind::kNorm || op.kind == OpKind::kRouter || op.name.starts_with("moe.router_topk")) {
      p.attention.push_back(op);
    } else {
      p.mlp.push_back(op);
    }
  }
  const auto tokens = c.expert_tokens ? c.expert_tokens(stage, layer) : balanced_gpu_expert_tokens(m, c.ops.tokens, c.ep);
  append(p.mlp, grouped_expert_ops(m, tokens, c.ops));
  return p;
}

// Context parallelism: the attention piece cut where the K/V ring runs (step_inputs.h LayerCost): the ops
// before the first core op, the flash core, and the core's re-run clones (recompute).
void split_core(const std::vector<Op>& attention, const KernelModel& model, int sms, LayerCost& lc) {
  std::vector<Op> pre, core, rerun;
  bool seen_core = false;
  for (const Op& op : attention) {
    const bool is_core = op.kind == OpKind::kAttention;
    seen_core = seen_core || is_core;
    if (is_core) (op.reruns_forward ? rerun : core).push_back(op);
    else if (!seen_core) pre.push_back(op);
  }
  lc.attention_pre = segment(pre, model, sms);
  lc.attention_core = segment(core, model, sms);
  lc.core_rerun = segment(rerun, model, sms).backward_input;
  lc.attention_pre_flops = flops_of(pre);
  lc.attention_core_flops = flops_of(core);
  lc.core_rerun_flops = flops_of(rerun).backward_input;
}

LayerCost layer_cost(const ModelSpec& m, int stage, int layer, const KernelModel& model, const StageCostContext& c) {
  LayerCost lc;
  lc.layer = layer;
  lc.moe = m.is_moe_layer(layer);
  const LayerPieces p = layer_pieces(m, stage, layer, c);
  add_params(attention_ops(m, c.ops), c.ep, lc.dense_params, lc.expert_params);
  add_params(lc.moe ? moe_ops(m, c.ops) : dense_ffn_ops(m, c.ops), c.ep, lc.dense_params, lc.expert_params);
  lc.attention = segment(p.attention, model, c.sms);
  lc.mlp = segment(p.mlp, model, c.sms);
  lc.attention_flops = flops_of(p.attention);
  lc.mlp_flops = flops_of(p.mlp);
  if (c.ops.cp > 1) split_core(p.attention, model, c.sms, lc);
  return lc;
}

std::vector<Op> post_ops(const ModelSpec& m, const StageLayers& st, const StageCostContext& c) {
  std::vector<Op> post;
  if (st.has_head) append(post, head_ops(m, c.ops));
  // MTP: each module's head and loss (its transformer layer is costed as a layer, stage_costs below).
  if (st.has_mtp)
    for (int d = 0; d < m.mtp_depth; ++d) append(post, mtp_head_ops(m, c.ops));
  return post;
}

}  // namespace

StageCostContext stage_cost_context(const Scenario& s) {
  StageCostContext ctx;
  // Context parallelism: the rank's seq_len / cp tokens of each sequence.
  ctx.ops.tokens = static_cast<std::int64_t>(s.parallel.micro_batch_size) * s.training.seq_len / s.parallel.cp;
  ctx.ops.seq_len = s.training.seq_len;
  ctx.ops.cp = s.parallel.cp;
  ctx.ops.tp = s.parallel.tp;
  ctx.ops.precision = s.training.precision == "fp8" ? Precision::kFp8 : Precision::kBf16;
  ctx.ops.recompute = s.training.recompute;
  ctx.ops.sequence_parallel = s.parallel.sequence_parallel && s.parallel.tp > 1;
  ctx.ops.expert_tp = s.parallel.expert_tp;
  ctx.ep = s.parallel.ep;
  ctx.sms = s.cluster.gpu.sms;
  return ctx;
}

std::vector<std::int64_t> balanced_gpu_expert_tokens(const ModelSpec& m, std::int64_t tokens_per_gpu, int ep) {
  // The EP group's ep GPUs each route their own tokens_per_gpu tokens; expert counts over the group.
  const std::vector<std::int64_t> all = balanced_expert_counts(m, tokens_per_gpu * ep);
  const std::size_t local = static_cast<std::size_t>(m.moe.routed_experts / ep);
  return {all.begin(), all.begin() + static_cast<std::ptrdiff_t>(local)};  // GPU 0 gets any remainder
}

std::vector<StageCost> stage_costs(const ModelSpec& m, const std::vector<StageLayers>& stages,
                                   const KernelModel& model, const StageCostContext& c) {
  std::vector<StageCost> out;
  for (const StageLayers& st : stages) {
    StageCost sc;
    sc.stage = st.stage;
    if (st.has_embedding) {
      const std::vector<Op> pre = embedding_ops(m, c.ops);
      sc.pre = segment(pre, model, c.sms);
      sc.pre_flops = flops_of(pre);
      double unused = 0;
      add_params(pre, c.ep, sc.pre_params, unused);
    }
    for (int l = st.first_layer; l < st.end_layer(); ++l) sc.layers.push_back(layer_cost(m, st.stage, l, model, c));
    std::vector<Op> post = post_ops(m, st, c);
    if (st.has_mtp) {
      // Each MTP module's transformer layer runs like a main layer (for V3 an MoE layer: this GPU's
      // experts only, between its own dispatch and combine, TR 2.2), after the stage's layers; its
      // input norms and projection lead the layer's attention piece, its head and loss join `post`.
      const SegmentTime input = segment(mtp_input_ops(m, c.ops), model, c.sms);
      for (int d = 0; d < m.mtp_depth; ++d) {
        LayerCost lc = layer_cost(m, st.stage, m.layers + d, model, c);
        add_params(mtp_input_ops(m, c.ops), c.ep, lc.dense_params, lc.expert_params);
        lc.attention.forward += input.forward;
        lc.attention.backward_input += input.backward_input;
        lc.attention.backward_weight += input.backward_weight;
        if (c.ops.cp > 1) {  // the input ops lead the attention piece: before the CP ring
          lc.attention_pre.forward += input.forward;
          lc.attention_pre.backward_input += input.backward_input;
          lc.attention_pre.backward_weight += input.backward_weight;
        }
        sc.layers.push_back(lc);
      }
    }
    sc.post = segment(post, model, c.sms);
    sc.post_flops = flops_of(post);
    double unused = 0;
    add_params(post, c.ep, sc.post_params, unused);
    out.push_back(std::move(sc));
  }
  return out;
}

std::vector<Op> stage_ops(const ModelSpec& m, const StageLayers& st, const StageCostContext& c) {
  std::vector<Op> ops;
  if (st.has_embedding) append(ops, embedding_ops(m, c.ops));
  for (int l = st.first_layer; l < st.end_layer(); ++l) {
    const LayerPieces p = layer_pieces(m, st.stage, l, c);
    append(ops, p.attention);
    append(ops, p.mlp);
  }
  if (st.has_mtp)
    for (int d = 0; d < m.mtp_depth; ++d) {
      append(ops, mtp_input_ops(m, c.ops));
      const LayerPieces p = layer_pieces(m, st.stage, m.layers + d, c);
      append(ops, p.attention);
      append(ops, p.mlp);
    }
  append(ops, post_ops(m, st, c));
  return ops;
}

}  // namespace deepsim

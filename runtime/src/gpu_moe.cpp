// The MoE half of a GPU block: sigmoid router with bias and group limit, permutation into expert order,
// expert parallelism (ep = dp: dispatch and combine by NCCL send/recv in one group per direction, an
// all-to-all(v) whose row counts come from an all-gather of the per-expert counts), the experts' SwiGLU
// MLPs, the gate-weighted combine, and the shared expert. Backward runs the same path in reverse.
// The counts are copied to the host (a synchronisation per MoE layer and micro-batch) to size the
// transfers and the per-expert GEMMs; DeepEP-style device-side sizing is not implemented.
#include <numeric>

#include "kernels/fp8_quant.h"
#include "kernels/grouped_gemm_fp8.h"
#include "kernels/moe_permute.h"
#include "kernels/router.h"
#include "kernels/swiglu.h"
#include "runtime/gpu_model.h"
#include "runtime/gpu_ops.h"
#include "runtime/stream_copy.h"

namespace deepsim::runtime {
namespace k = deepsim::kernels;

namespace {

std::string key(int layer, const char* name) { return "L" + std::to_string(layer) + "." + name; }

}  // namespace

void GpuStage::exchange(const ExpertRouting& r, const bf16* send, bf16* recv, bool forward_direction, int cols) {
  const auto& s_rows = forward_direction ? r.send_rows : r.recv_rows;
  const auto& s_off = forward_direction ? r.send_off : r.recv_off;
  const auto& r_rows = forward_direction ? r.recv_rows : r.send_rows;
  const auto& r_off = forward_direction ? r.recv_off : r.send_off;
  DEEPSIM_NCCL_CHECK(ncclGroupStart());
  for (int p = 0; p < c_.ep; ++p) {
    const auto pi = static_cast<std::size_t>(p);
    if (s_rows[pi] > 0)
      DEEPSIM_NCCL_CHECK(ncclSend(send + static_cast<std::size_t>(s_off[pi]) * cols, static_cast<std::size_t>(s_rows[pi]) * cols,
                                  ncclBfloat16, p, c_.comms->dp(), c_.stream));
    if (r_rows[pi] > 0)
      DEEPSIM_NCCL_CHECK(ncclRecv(recv + static_cast<std::size_t>(r_off[pi]) * cols, static_cast<std::size_t>(r_rows[pi]) * cols,
                                  ncclBfloat16, p, c_.comms->dp(), c_.stream));
  }
  DEEPSIM_NCCL_CHECK(ncclGroupEnd());
}

void GpuStage::moe_forward(MicroBatchState& st, int l, int mb, const bf16* h, bf16* y) {
  const ModelConfig& m = c_.cfg->model;
  const auto t = static_cast<std::size_t>(tokens_);
  const int hd = m.hidden;
  const int e_count = m.routed_experts;
  const int kk = m.top_k;
  const auto rows = t * static_cast<std::size_t>(kk);
  float* logits = st.acts.get<float>(key(l, "logits"), t * e_count);
  auto* idx = st.acts.get<std::int32_t>(key(l, "idx"), rows);
  float* gates = st.acts.get<float>(key(l, "gates"), rows);
  bf16* x_perm = st.acts.get<bf16>(key(l, "x_perm"), rows * hd);
  auto* counts = st.acts.get<std::int32_t>(key(l, "counts"), static_cast<std::size_t>(e_count));
  auto* perm_row = st.acts.get<std::int32_t>(key(l, "perm_row"), rows);
  {
    const ScopedTag s(*c_.tagger, tag(l, "moe.router", mb, 'F', "gemm", tokens_, e_count, hd));
    c_.gemm->forward_fp32(h, w(ParamKind::kGate, l), logits, {tokens_, hd, e_count}, c_.stream);
  }
  {
    const ScopedTag s(*c_.tagger, tag(l, "moe.route", mb, 'F', "memory_bound"));
    k::router_topk({logits, c_.weights->router_bias.at(l).data(), idx, gates, tokens_, e_count, m.expert_groups,
                    m.limited_groups, kk, m.route_scale},
                   c_.stream);
    k::moe_permute({idx, h, x_perm, counts, st.acts.get<std::int32_t>(key(l, "offsets"), static_cast<std::size_t>(e_count) + 1),
                    perm_row, st.acts.get<std::int32_t>(key(l, "perm_token"), rows),
                    c_.scratch->get<std::int32_t>("moe.ws", k::moe_permute_workspace_elems(tokens_, e_count)), tokens_, kk,
                    e_count, hd},
                   c_.stream);
  }
  std::vector<std::int32_t> host_counts(static_cast<std::size_t>(e_count));
  copy_to_host(host_counts.data(), counts, host_counts.size(), c_.stream);
  ExpertRouting& r = st.routing[l];
  r.load.assign(host_counts.begin(), host_counts.end());
  bf16* y_perm = st.acts.get<bf16>(key(l, "y_perm"), rows * hd);
  if (c_.ep == 1) {
    r.local_offsets.assign(static_cast<std::size_t>(e_count) + 1, 0);
    std::partial_sum(host_counts.begin(), host_counts.end(), r.local_offsets.begin() + 1);
    r.rows_local = static_cast<int>(rows);
    expert_forward(st, l, mb, x_perm, y_perm);
  } else {
    const ScopedTag s(*c_.tagger, tag(l, "moe.dispatch", mb, 'F', "communication"));
    // All ranks' counts: all_counts[p][e].
    auto* all_dev = c_.scratch->get<std::int32_t>("moe.all_counts", static_cast<std::size_t>(e_count) * c_.ep);
    DEEPSIM_NCCL_CHECK(ncclAllGather(counts, all_dev, static_cast<std::size_t>(e_count), ncclInt32, c_.comms->dp(), c_.stream));
    std::vector<std::int32_t> all(static_cast<std::size_t>(e_count) * c_.ep);
    copy_to_host(all.data(), all_dev, all.size(), c_.stream);
    const int el = e_count / c_.ep;
    const int first = c_.ep_rank * el;
    auto cnt = [&](int p, int e) { return all[static_cast<std::size_t>(p) * e_count + e]; };
    r.send_rows.assign(static_cast<std::size_t>(c_.ep), 0);
    r.recv_rows.assign(static_cast<std::size_t>(c_.ep), 0);
    for (int p = 0; p < c_.ep; ++p)
      for (int e = 0; e < el; ++e) {
        r.send_rows[static_cast<std::size_t>(p)] += cnt(c_.ep_rank, p * el + e);
        r.recv_rows[static_cast<std::size_t>(p)] += cnt(p, first + e);
      }
    r.send_off.assign(static_cast<std::size_t>(c_.ep) + 1, 0);
    r.recv_off.assign(static_cast<std::size_t>(c_.ep) + 1, 0);
    std::partial_sum(r.send_rows.begin(), r.send_rows.end(), r.send_off.begin() + 1);
    std::partial_sum(r.recv_rows.begin(), r.recv_rows.end(), r.recv_off.begin() + 1);
    r.rows_local = r.recv_off.back();
    // Received rows arrive as (source rank, expert); the grouped GEMMs want (expert, source rank).
    std::vector<std::int32_t> order;
    std::vector<std::int32_t> inv(static_cast<std::size_t>(r.rows_local));
    r.local_offsets.assign(static_cast<std::size_t>(el) + 1, 0);
    for (int e = 0; e < el; ++e) {
      for (int p = 0; p < c_.ep; ++p) {
        int start = r.recv_off[static_cast<std::size_t>(p)];
        for (int e2 = 0; e2 < e; ++e2) start += cnt(p, first + e2);
        for (int i = 0; i < cnt(p, first + e); ++i) {
          inv[static_cast<std::size_t>(start + i)] = static_cast<std::int32_t>(order.size());
          order.push_back(start + i);
        }
      }
      r.local_offsets[static_cast<std::size_t>(e) + 1] = static_cast<int>(order.size());
    }
    const auto lr = static_cast<std::size_t>(r.rows_local);
    // Stream-ordered: the gathers below read them on the compute stream.
    copy_to_device(st.acts.get<std::int32_t>(key(l, "order"), lr), order, c_.stream);
    copy_to_device(st.acts.get<std::int32_t>(key(l, "inv"), lr), inv, c_.stream);
    bf16* recv = c_.scratch->get<bf16>("moe.recv", lr * hd);
    bf16* x_local = st.acts.get<bf16>(key(l, "x_local"), lr * hd);
    bf16* y_local = c_.scratch->get<bf16>("moe.y_local", lr * hd);
    exchange(r, x_perm, recv, true, hd);
    gpu::gather_rows(recv, st.acts.get<std::int32_t>(key(l, "order"), lr), x_local, r.rows_local, hd, c_.stream);
    expert_forward(st, l, mb, x_local, y_local);
    const ScopedTag sc(*c_.tagger, tag(l, "moe.combine", mb, 'F', "communication"));
    gpu::gather_rows(y_local, st.acts.get<std::int32_t>(key(l, "inv"), lr), recv, r.rows_local, hd, c_.stream);
    exchange(r, recv, y_perm, false, hd);
  }
  {
    const ScopedTag s(*c_.tagger, tag(l, "moe.combine", mb, 'F', "memory_bound"));
    k::moe_unpermute({y_perm, perm_row, gates, y, tokens_, kk, hd}, c_.stream);
  }
  if (m.shared_experts > 0) {
    bf16* ys = c_.scratch->get<bf16>("moe.shared_out", t * hd);
    mlp_forward(st, key(l, "moe.shared"), mb, h, ys, w(ParamKind::kSharedW13, l), w(ParamKind::kSharedW2, l), tokens_,
                m.shared_experts * m.expert_intermediate);
    gpu::add(y, ys, y, static_cast<long>(t) * hd, c_.stream);
  }
}

void GpuStage::moe_backward(MicroBatchState& st, int l, int mb, const bf16* dy, bf16* dh) {
  const ModelConfig& m = c_.cfg->model;
  const auto t = static_cast<std::size_t>(tokens_);
  const int hd = m.hidden;
  const int e_count = m.routed_experts;
  const int kk = m.top_k;
  const auto rows = t * static_cast<std::size_t>(kk);
  const ExpertRouting& r = st.routing.at(l);
  const auto* perm_row = st.acts.get<std::int32_t>(key(l, "perm_row"), rows);
  bf16* dy_perm = c_.scratch->get<bf16>("moe.dy_perm", rows * hd);
  float* dgates = c_.scratch->get<float>("moe.dgates", rows);
  {
    const ScopedTag s(*c_.tagger, tag(l, "moe.combine", mb, 'B', "memory_bound"));
    gpu::unpermute_backward(dy, st.acts.get<bf16>(key(l, "y_perm"), rows * hd), perm_row,
                            st.acts.get<float>(key(l, "gates"), rows), dy_perm, dgates, tokens_, kk, hd, c_.stream);
  }
  bf16* dx_perm = c_.scratch->get<bf16>("moe.dx_perm", rows * hd);
  if (c_.ep == 1) {
    expert_backward(st, l, mb, dy_perm, dx_perm);
  } else {
    const auto lr = static_cast<std::size_t>(r.rows_local);
    bf16* recv = c_.scratch->get<bf16>("moe.recv", lr * hd);
    bf16* dy_local = c_.scratch->get<bf16>("moe.dy_local", lr * hd);
    bf16* dx_local = c_.scratch->get<bf16>("moe.dx_local", lr * hd);
    {
      const ScopedTag s(*c_.tagger, tag(l, "moe.dispatch", mb, 'B', "communication"));
      exchange(r, dy_perm, recv, true, hd);
      gpu::gather_rows(recv, st.acts.get<std::int32_t>(key(l, "order"), lr), dy_local, r.rows_local, hd, c_.stream);
    }
    expert_backward(st, l, mb, dy_local, dx_local);
    const ScopedTag s(*c_.tagger, tag(l, "moe.combine", mb, 'B', "communication"));
    gpu::gather_rows(dx_local, st.acts.get<std::int32_t>(key(l, "inv"), lr), recv, r.rows_local, hd, c_.stream);
    exchange(r, recv, dx_perm, false, hd);
  }
  float* dlogits = c_.scratch->get<float>("moe.dlogits", t * e_count);
  bf16* dlogits_bf = c_.scratch->get<bf16>("moe.dlogits_bf", t * e_count);
  bf16* dh_gate = c_.scratch->get<bf16>("moe.dh_gate", t * hd);
  {
    const ScopedTag s(*c_.tagger, tag(l, "moe.route", mb, 'B', "memory_bound"));
    gpu::permute_backward(dx_perm, perm_row, dh, tokens_, kk, hd, c_.stream);
    gpu::router_backward(st.acts.get<float>(key(l, "logits"), t * e_count), st.acts.get<std::int32_t>(key(l, "idx"), rows),
                         dgates, dlogits, tokens_, e_count, kk, m.route_scale, c_.stream);
    gpu::cast(dlogits, dlogits_bf, static_cast<long>(t) * e_count, c_.stream);
  }
  const bf16* h2 = st.acts.get<bf16>(key(l, "h2"), t * hd);
  {
    const ScopedTag s(*c_.tagger, tag(l, "moe.router", mb, 'B', "gemm", tokens_, hd, e_count));
    c_.gemm->backward_data(dlogits_bf, w(ParamKind::kGate, l), dh_gate, {tokens_, hd, e_count}, false, c_.stream);
    gpu::add(dh, dh_gate, dh, static_cast<long>(t) * hd, c_.stream);
  }
  {
    const ScopedTag s(*c_.tagger, tag(l, "moe.router", mb, 'W', "gemm", e_count, hd, tokens_));
    c_.gemm->backward_weight(dlogits_bf, h2, g(ParamKind::kGate, l), {tokens_, hd, e_count}, false, c_.stream);
  }
  if (m.shared_experts > 0) {
    bf16* dhs = c_.scratch->get<bf16>("moe.dh_shared", t * hd);
    mlp_backward(st, key(l, "moe.shared"), mb, dy, dhs, w(ParamKind::kSharedW13, l), w(ParamKind::kSharedW2, l),
                 g(ParamKind::kSharedW13, l), g(ParamKind::kSharedW2, l), tokens_, m.shared_experts * m.expert_intermediate);
    gpu::add(dh, dhs, dh, static_cast<long>(t) * hd, c_.stream);
  }
  check(dh, static_cast<long>(t) * hd, l, "moe.combine");
}

}  // namespace deepsim::runtime

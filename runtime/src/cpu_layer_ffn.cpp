// FFN halves of the CPU reference block: the SwiGLU MLP (dense layers and the shared expert) and the MoE
// (DeepSeek-V3: sigmoid router with bias-for-selection and group limit, routed experts, shared expert).
// Gate backward: g_i = r s_i / S with S = sum of the selected s_j, so for selected i
//   dL/ds_i = r (dg_i / S - sum_j dg_j s_j / S^2),   dL/dlogit_i = dL/ds_i * s_i (1 - s_i).
#include <cmath>

#include "cpu_block_parts.h"
#include "kernels/cpu_ref_layer.h"

namespace deepsim::runtime::cpu {
namespace k = deepsim::kernels;

Vec mlp_forward(const Vec& h, const float* w13, const float* w2, int rows, int hidden, int inter, FfnCache& c) {
  c.h2 = h;
  c.a = linear_forward(h, w13, rows, hidden, 2 * inter);
  c.z = k::swiglu_forward_reference(slice_cols(c.a, rows, 2 * inter, 0, inter),
                                    slice_cols(c.a, rows, 2 * inter, inter, inter));
  return linear_forward(c.z, w2, rows, inter, hidden);
}

Vec mlp_backward(const FfnCache& c, const Vec& dy, const float* w13, const float* w2, float* dw13, float* dw2, int rows,
                 int hidden, int inter) {
  const Vec dz = linear_backward(c.z, dy, w2, dw2, rows, inter, hidden);
  Vec dg;
  Vec du;
  k::swiglu_backward_reference(slice_cols(c.a, rows, 2 * inter, 0, inter),
                               slice_cols(c.a, rows, 2 * inter, inter, inter), dz, dg, du);
  Vec da(static_cast<std::size_t>(rows) * 2 * inter, 0.f);
  add_cols(da, rows, 2 * inter, 0, inter, dg);
  add_cols(da, rows, 2 * inter, inter, inter, du);
  return linear_backward(c.h2, da, w13, dw13, rows, hidden, 2 * inter);
}

namespace {

// Rows [r0, r1) of a matrix with `cols` columns.
Vec rows_of(const Vec& x, int cols, int r0, int r1) {
  return Vec(x.begin() + static_cast<std::ptrdiff_t>(r0) * cols, x.begin() + static_cast<std::ptrdiff_t>(r1) * cols);
}
void put_rows(Vec& x, int cols, int r0, const Vec& part) {
  std::copy(part.begin(), part.end(), x.begin() + static_cast<std::ptrdiff_t>(r0) * cols);
}

}  // namespace

Vec moe_forward(const BlockContext& ctx, const Vec& h, MoeCache& c) {
  const ModelConfig& m = *ctx.model;
  const int t = ctx.tokens();
  const int hd = m.hidden;
  const int f = m.expert_intermediate;
  const int e_count = m.routed_experts;
  c.h = h;
  c.logits = linear_forward(h, ctx.w(ParamKind::kGate), t, hd, e_count);
  const k::RouterConfig rc{e_count, m.expert_groups, m.limited_groups, m.top_k, m.route_scale};
  k::RouterRefResult r = k::router_reference(c.logits, *ctx.router_bias, t, rc);
  c.idx = std::move(r.topk_idx);
  c.gates = std::move(r.topk_gate);
  k::MoePermuteRefResult p = k::moe_permute_reference(c.idx, h, t, m.top_k, e_count, hd);
  c.perm_row = std::move(p.perm_row);
  c.offsets = std::move(p.expert_offsets);
  c.x_perm = std::move(p.x_perm);
  const int rows = t * m.top_k;
  c.a_perm.assign(static_cast<std::size_t>(rows) * 2 * f, 0.f);
  c.z_perm.assign(static_cast<std::size_t>(rows) * f, 0.f);
  c.y_perm.assign(static_cast<std::size_t>(rows) * hd, 0.f);
  const float* w13 = ctx.w(ParamKind::kExpertW13);
  const float* w2 = ctx.w(ParamKind::kExpertW2);
  for (int e = 0; e < e_count; ++e) {
    const int r0 = c.offsets[static_cast<std::size_t>(e)];
    const int r1 = c.offsets[static_cast<std::size_t>(e) + 1];
    if (r0 == r1) continue;
    FfnCache ec;
    const Vec y = mlp_forward(rows_of(c.x_perm, hd, r0, r1), w13 + static_cast<std::size_t>(e) * 2 * f * hd,
                              w2 + static_cast<std::size_t>(e) * hd * f, r1 - r0, hd, f, ec);
    put_rows(c.a_perm, 2 * f, r0, ec.a);
    put_rows(c.z_perm, f, r0, ec.z);
    put_rows(c.y_perm, hd, r0, y);
  }
  Vec out = k::moe_unpermute_reference(c.y_perm, c.perm_row, c.gates, t, m.top_k, hd);
  if (m.shared_experts > 0)
    add_into(out, mlp_forward(h, ctx.w(ParamKind::kSharedW13), ctx.w(ParamKind::kSharedW2), t, hd,
                              m.shared_experts * f, c.shared));
  return out;
}

namespace {

// dL/dlogits of the sigmoid router from dL/dgates (formula in the file comment).
Vec router_backward(const ModelConfig& m, const MoeCache& c, const Vec& dgate, int tokens) {
  Vec dlogits(c.logits.size(), 0.f);
  for (int t = 0; t < tokens; ++t) {
    double sum_s = 0.0;
    double dot = 0.0;
    for (int j = 0; j < m.top_k; ++j) {
      const std::size_t tj = static_cast<std::size_t>(t) * m.top_k + j;
      const double s = 1.0 / (1.0 + std::exp(-static_cast<double>(
                                        c.logits[static_cast<std::size_t>(t) * m.routed_experts + c.idx[tj]])));
      sum_s += s;
      dot += dgate[tj] * s;
    }
    for (int j = 0; j < m.top_k; ++j) {
      const std::size_t tj = static_cast<std::size_t>(t) * m.top_k + j;
      const std::size_t li = static_cast<std::size_t>(t) * m.routed_experts + c.idx[tj];
      const double s = 1.0 / (1.0 + std::exp(-static_cast<double>(c.logits[li])));
      const double ds = m.route_scale * (dgate[tj] / sum_s - dot / (sum_s * sum_s));
      dlogits[li] = static_cast<float>(ds * s * (1.0 - s));
    }
  }
  return dlogits;
}

}  // namespace

Vec moe_backward(const BlockContext& ctx, const MoeCache& c, const Vec& dy) {
  const ModelConfig& m = *ctx.model;
  const int t = ctx.tokens();
  const int hd = m.hidden;
  const int f = m.expert_intermediate;
  const int rows = t * m.top_k;
  // Combine backward: dy_perm[row(t,j)] = gate(t,j) dy[t]; dgate(t,j) = dy[t] . y_perm[row(t,j)].
  Vec dy_perm(static_cast<std::size_t>(rows) * hd, 0.f);
  Vec dgate(static_cast<std::size_t>(rows), 0.f);
  for (int i = 0; i < t; ++i)
    for (int j = 0; j < m.top_k; ++j) {
      const std::size_t tj = static_cast<std::size_t>(i) * m.top_k + j;
      const std::size_t row = static_cast<std::size_t>(c.perm_row[tj]);
      double dot = 0.0;
      for (int d = 0; d < hd; ++d) {
        const float g = dy[static_cast<std::size_t>(i) * hd + d];
        dy_perm[row * hd + d] = c.gates[tj] * g;
        dot += static_cast<double>(g) * c.y_perm[row * hd + d];
      }
      dgate[tj] = static_cast<float>(dot);
    }
  Vec dx_perm(static_cast<std::size_t>(rows) * hd, 0.f);
  const float* w13 = ctx.w(ParamKind::kExpertW13);
  const float* w2 = ctx.w(ParamKind::kExpertW2);
  float* g13 = ctx.g(ParamKind::kExpertW13);
  float* g2 = ctx.g(ParamKind::kExpertW2);
  for (int e = 0; e < m.routed_experts; ++e) {
    const int r0 = c.offsets[static_cast<std::size_t>(e)];
    const int r1 = c.offsets[static_cast<std::size_t>(e) + 1];
    if (r0 == r1) continue;
    const std::size_t o13 = static_cast<std::size_t>(e) * 2 * f * hd;
    const std::size_t o2 = static_cast<std::size_t>(e) * hd * f;
    const FfnCache ec{rows_of(c.x_perm, hd, r0, r1), rows_of(c.a_perm, 2 * f, r0, r1), rows_of(c.z_perm, f, r0, r1)};
    put_rows(dx_perm, hd, r0,
             mlp_backward(ec, rows_of(dy_perm, hd, r0, r1), w13 + o13, w2 + o2, g13 ? g13 + o13 : nullptr,
                          g2 ? g2 + o2 : nullptr, r1 - r0, hd, f));
  }
  // Dispatch backward: dh[t] = sum_j dx_perm[row(t,j)].
  Vec dh(static_cast<std::size_t>(t) * hd, 0.f);
  for (int i = 0; i < t; ++i)
    for (int j = 0; j < m.top_k; ++j) {
      const std::size_t row = static_cast<std::size_t>(c.perm_row[static_cast<std::size_t>(i) * m.top_k + j]);
      for (int d = 0; d < hd; ++d) dh[static_cast<std::size_t>(i) * hd + d] += dx_perm[row * hd + d];
    }
  const Vec dlogits = router_backward(m, c, dgate, t);
  add_into(dh, linear_backward(c.h, dlogits,
                               ctx.w(ParamKind::kGate), ctx.g(ParamKind::kGate), t, hd, m.routed_experts));
  if (m.shared_experts > 0)
    add_into(dh, mlp_backward(c.shared, dy, ctx.w(ParamKind::kSharedW13), ctx.w(ParamKind::kSharedW2),
                              ctx.g(ParamKind::kSharedW13), ctx.g(ParamKind::kSharedW2), t, hd, m.shared_experts * f));
  return dh;
}

}  // namespace deepsim::runtime::cpu

// CPU reference for causal attention forward and backward (cpu_ref_attention.h). FP64 accumulation.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "kernels/cpu_ref_attention.h"

namespace deepsim::kernels {
namespace {

// Flat offsets of the attention.h layouts.
struct Indexer {
  const AttentionRefShape& s;
  [[nodiscard]] std::size_t qk(int b, int i, int h) const {
    return ((static_cast<std::size_t>(b) * s.seq_len + i) * s.heads + h) * s.d_qk;
  }
  [[nodiscard]] std::size_t vo(int b, int i, int h) const {
    return ((static_cast<std::size_t>(b) * s.seq_len + i) * s.heads + h) * s.d_v;
  }
  [[nodiscard]] std::size_t stat(int b, int h, int i) const {
    return (static_cast<std::size_t>(b) * s.heads + h) * s.seq_len + i;
  }
};

double dot(const float* a, const float* b, int n) {
  double acc = 0.0;
  for (int d = 0; d < n; ++d) acc += static_cast<double>(a[d]) * b[d];
  return acc;
}

}  // namespace

AttentionRefForward attention_forward_reference(const AttentionRefShape& s, const std::vector<float>& q,
                                                const std::vector<float>& k, const std::vector<float>& v) {
  const Indexer ix{s};
  AttentionRefForward out;
  out.o.assign(static_cast<std::size_t>(s.batch) * s.seq_len * s.heads * s.d_v, 0.f);
  out.lse.assign(static_cast<std::size_t>(s.batch) * s.heads * s.seq_len, 0.f);
  std::vector<double> scores(static_cast<std::size_t>(s.seq_len));
  std::vector<double> acc(static_cast<std::size_t>(s.d_v));
  for (int b = 0; b < s.batch; ++b) {
    for (int h = 0; h < s.heads; ++h) {
      for (int i = 0; i < s.seq_len; ++i) {
        double row_max = -std::numeric_limits<double>::infinity();
        for (int j = 0; j <= i; ++j) {
          scores[j] = s.softmax_scale * dot(&q[ix.qk(b, i, h)], &k[ix.qk(b, j, h)], s.d_qk);
          row_max = std::max(row_max, scores[j]);
        }
        double sum = 0.0;
        std::fill(acc.begin(), acc.end(), 0.0);
        for (int j = 0; j <= i; ++j) {
          const double p = std::exp(scores[j] - row_max);
          sum += p;
          for (int d = 0; d < s.d_v; ++d) acc[d] += p * v[ix.vo(b, j, h) + d];
        }
        for (int d = 0; d < s.d_v; ++d) out.o[ix.vo(b, i, h) + d] = static_cast<float>(acc[d] / sum);
        out.lse[ix.stat(b, h, i)] = static_cast<float>(row_max + std::log(sum));
      }
    }
  }
  return out;
}

AttentionRefGrads attention_backward_reference(const AttentionRefShape& s, const std::vector<float>& q,
                                               const std::vector<float>& k, const std::vector<float>& v,
                                               const AttentionRefForward& fwd, const std::vector<float>& dout) {
  const Indexer ix{s};
  AttentionRefGrads g;
  std::vector<double> dq(q.size(), 0.0);
  std::vector<double> dk(k.size(), 0.0);
  std::vector<double> dv(v.size(), 0.0);
  for (int b = 0; b < s.batch; ++b) {
    for (int h = 0; h < s.heads; ++h) {
      for (int i = 0; i < s.seq_len; ++i) {
        const float* qi = &q[ix.qk(b, i, h)];
        const float* doi = &dout[ix.vo(b, i, h)];
        const double delta = dot(doi, &fwd.o[ix.vo(b, i, h)], s.d_v);
        const double lse = fwd.lse[ix.stat(b, h, i)];
        for (int j = 0; j <= i; ++j) {
          const float* kj = &k[ix.qk(b, j, h)];
          const double p = std::exp(s.softmax_scale * dot(qi, kj, s.d_qk) - lse);
          const double dp = dot(doi, &v[ix.vo(b, j, h)], s.d_v);
          const double ds = p * (dp - delta) * s.softmax_scale;
          for (int d = 0; d < s.d_v; ++d) dv[ix.vo(b, j, h) + d] += p * doi[d];
          for (int d = 0; d < s.d_qk; ++d) {
            dq[ix.qk(b, i, h) + d] += ds * kj[d];
            dk[ix.qk(b, j, h) + d] += ds * qi[d];
          }
        }
      }
    }
  }
  g.dq.assign(dq.begin(), dq.end());
  g.dk.assign(dk.begin(), dk.end());
  g.dv.assign(dv.begin(), dv.end());
  return g;
}

}  // namespace deepsim::kernels

#include "sim/model/op_factory.h"

#include <utility>

#include "sim/core/error.h"

namespace deepsim::op_factory {
namespace {

double d(std::int64_t v) { return static_cast<double>(v); }

Op named(std::string name, OpKind kind) {
  Op op;
  op.name = std::move(name);
  op.kind = kind;
  return op;
}

// DeepSeek's partial recompute (TR 3.4) inside the backward: the recomputed output is produced again,
// so its FLOPs and bytes join dgrad (fused into the backward's kernels: no launch of its own).
void add_recompute(Op& op) {
  op.dgrad += op.fwd;
  op.dgrad_bytes += op.fwd_bytes;
}

}  // namespace

Op recompute_clone(const Op& op) {
  Op r = named(op.name + ".recompute", op.kind);
  r.gemm = {.m = op.gemm.m, .n = op.gemm.k, .k = op.gemm.n};
  r.groups = op.groups;
  r.fp8 = op.fp8;
  r.per_expert = op.per_expert;
  r.dgrad = op.fwd;
  r.dgrad_bytes = op.fwd_bytes;
  r.dgrad_launches = op.fwd_launches;
  r.fwd_launches = 0;
  r.wgrad_launches = 0;
  r.reruns_forward = true;
  return r;
}

double gemm_input_bytes(bool fp8) { return fp8 ? kFp8Bytes : kBf16Bytes; }

Op gemm(std::string name, GemmShape s, GemmOptions o) {
  DEEPSIM_ASSERT(s.m >= 0 && s.n > 0 && s.k > 0, "gemm " + name + ": non-positive shape");
  Op op = named(std::move(name), OpKind::kGemm);
  const double a = gemm_input_bytes(o.fp8);
  const double m = d(s.m), n = d(s.n), k = d(s.k);
  op.gemm = s;
  op.fp8 = o.fp8;
  op.fwd = Flops(2 * m * n * k);
  op.dgrad = Flops(2 * m * n * k);  // dX[M x K] = dY[M x N] . W[N x K]
  op.wgrad = Flops(2 * m * n * k);  // dW[N x K] = dY^T . X
  op.fwd_bytes = Bytes(a * (m * k + n * k) + kBf16Bytes * m * n);
  op.dgrad_bytes = Bytes(a * (m * n + n * k) + kBf16Bytes * m * k);
  op.wgrad_bytes = Bytes(a * (m * n + m * k) + 2 * kFp32Bytes * n * k);
  op.saved = o.save_input ? Bytes(a * m * k) : Bytes(0);
  op.params = s.n * s.k + o.bias;
  if (o.recompute) add_recompute(op);
  return op;
}

Op grouped_gemm(std::string name, std::span<const std::int64_t> tokens_per_group, std::int64_t n, std::int64_t k,
                bool fp8) {
  Op op = named(std::move(name), OpKind::kGroupedGemm);
  const double a = gemm_input_bytes(fp8);
  const double nn = d(n), kk = d(k);
  std::int64_t total = 0;
  for (const std::int64_t mi : tokens_per_group) {
    DEEPSIM_ASSERT(mi >= 0, "grouped gemm " + op.name + ": negative token count");
    total += mi;
    if (mi == 0) continue;  // an idle expert launches no tiles and reads no weights
    const double m = d(mi);
    op.fwd += Flops(2 * m * nn * kk);
    op.fwd_bytes += Bytes(a * (m * kk + nn * kk) + kBf16Bytes * m * nn);
    op.dgrad_bytes += Bytes(a * (m * nn + nn * kk) + kBf16Bytes * m * kk);
    op.wgrad_bytes += Bytes(a * (m * nn + m * kk) + 2 * kFp32Bytes * nn * kk);
  }
  const auto groups = static_cast<std::int64_t>(tokens_per_group.size());
  op.dgrad = op.fwd;
  op.wgrad = op.fwd;
  op.groups = static_cast<int>(groups);
  // OpWork's m is the tokens of one group: the mean, rounded up, describes the launch's tile shape.
  op.gemm = {.m = groups > 0 ? (total + groups - 1) / groups : 0, .n = n, .k = k};
  op.fp8 = fp8;
  op.per_expert = true;
  op.saved = Bytes(a * d(total) * kk);
  op.params = groups * n * k;
  return op;
}

Op rms_norm(std::string name, std::int64_t tokens, std::int64_t width, bool recompute) {
  Op op = named(std::move(name), OpKind::kNorm);
  const double e = d(tokens) * d(width);
  op.fwd = Flops(kNormFwdFlopsPerElem * e);
  op.dgrad = Flops(kNormBwdFlopsPerElem * e);  // the gain's gradient is a reduction fused into this pass
  op.fwd_bytes = Bytes(2 * kBf16Bytes * e);     // read x, write y
  op.dgrad_bytes = Bytes(3 * kBf16Bytes * e);   // read x and dy, write dx
  op.saved = Bytes(kBf16Bytes * e);
  op.params = width;
  if (recompute) add_recompute(op);
  return op;
}

void recompute_all(std::vector<Op>& ops) {
  std::vector<Op> out;
  out.reserve(2 * ops.size());
  for (Op& op : ops) {
    op.saved = Bytes(0);
    const bool has_forward = op.fwd.value() > 0 || op.fwd_bytes.value() > 0;
    Op clone = has_forward ? recompute_clone(op) : Op{};
    out.push_back(std::move(op));
    if (has_forward) out.push_back(std::move(clone));
  }
  ops = std::move(out);
}

Op norm(std::string name, NormKind kind, std::int64_t tokens, std::int64_t width, bool recompute) {
  if (kind == NormKind::kRmsNorm) return rms_norm(std::move(name), tokens, width, recompute);
  Op op = rms_norm(std::move(name), tokens, width, false);
  const double e = d(tokens) * d(width);
  op.fwd = Flops(kLayerNormFwdFlopsPerElem * e);
  op.dgrad = Flops(kLayerNormBwdFlopsPerElem * e);  // gain and bias gradients reduced in this pass
  op.params = 2 * width;
  if (recompute) add_recompute(op);
  return op;
}

Op gelu(std::string name, std::int64_t tokens, std::int64_t inter, bool fp8, bool recompute) {
  Op op = named(std::move(name), OpKind::kElementwise);
  const double a = gemm_input_bytes(fp8);
  const double e = d(tokens) * d(inter);
  op.fwd = Flops(kGeluFwdFlopsPerElem * e);
  op.dgrad = Flops(kGeluBwdFlopsPerElem * e);
  op.fwd_bytes = Bytes(kBf16Bytes * e + a * e);             // read the first projection's output, write
  op.dgrad_bytes = Bytes(a * e + kBf16Bytes * e + kBf16Bytes * e);  // read input and dy, write dx
  op.saved = Bytes(a * e);
  if (recompute) add_recompute(op);
  return op;
}

Op bias_grad(std::string name, std::int64_t tokens, std::int64_t n) {
  Op op = named(std::move(name), OpKind::kSmall);
  op.wgrad = Flops(d(tokens) * d(n));
  op.wgrad_bytes = Bytes(kBf16Bytes * d(tokens) * d(n) + 2 * kFp32Bytes * d(n));
  op.fwd_launches = op.dgrad_launches = 0;
  return op;
}

Op dropout(std::string name, double elements) {
  Op op = named(std::move(name), OpKind::kElementwise);
  op.fwd = Flops(2 * elements);  // draw, compare and scale
  op.dgrad = Flops(elements);
  op.fwd_bytes = Bytes((2 * kBf16Bytes + kDropoutMaskBytes) * elements);
  op.dgrad_bytes = Bytes((2 * kBf16Bytes + kDropoutMaskBytes) * elements);
  op.saved = Bytes(kDropoutMaskBytes * elements);
  return op;
}

Op swiglu(std::string name, std::int64_t tokens, std::int64_t inter, bool fp8, bool recompute) {
  Op op = named(std::move(name), OpKind::kElementwise);
  const double a = gemm_input_bytes(fp8);
  const double out = d(tokens) * d(inter);  // output elements; the input has twice as many
  op.fwd = Flops(kSwigluFwdFlopsPerElem * out);
  op.dgrad = Flops(kSwigluBwdFlopsPerElem * out);
  op.fwd_bytes = Bytes(kBf16Bytes * 2 * out + a * out);
  op.dgrad_bytes = Bytes(a * 2 * out + kBf16Bytes * out + kBf16Bytes * 2 * out);  // read in, dy; write dx
  op.saved = Bytes(a * 2 * out);
  if (recompute) add_recompute(op);
  return op;
}

Op attention(std::string name, const AttentionShape& s) {
  DEEPSIM_ASSERT(s.cp >= 1 && s.seq_len > 0 && (s.tokens * s.cp) % s.seq_len == 0,
                 "attention " + name + ": tokens not whole sequences");
  Op op = named(std::move(name), OpKind::kAttention);
  const double seqs = d(s.tokens * s.cp / s.seq_len), len = d(s.seq_len), t = d(s.tokens);
  const double hq = d(s.q_heads), hkv = d(s.kv_heads), dqk = d(s.d_qk), dv = d(s.d_v);
  // Causal masking: each query sees on average half the keys, so half of the S x S score matrix is work.
  // Under CP the load-balanced split gives each rank 1/cp of those pairs (x / 1.0 is exact for cp = 1).
  const double pairs = seqs * hq * len * len * (s.causal ? 0.5 : 1.0) / d(s.cp);
  op.fwd = Flops(2 * pairs * (dqk + dv));  // QK^T and PV
  // Flash backward: recompute QK^T; dV = P^T dO, dP = dO V^T; dQ = dS K, dK = dS^T Q.
  op.dgrad = Flops(2 * pairs * (3 * dqk + 2 * dv));
  const double qkv = t * (hq * dqk + hkv * (dqk + dv));  // elements of Q, K, V
  const double o = t * hq * dv;
  const double lse = t * hq;  // softmax statistics, FP32, one per query row; never the S x S matrix
  // CP: the other ranks' K/V chunks, read once each as they arrive (backward: read, and their dK/dV
  // partials written); 0 for cp = 1.
  const double remote_kv = d(s.cp - 1) * t * hkv * (dqk + dv);
  op.fwd_bytes = Bytes(kBf16Bytes * (qkv + o + remote_kv) + kFp32Bytes * lse);
  // read Q K V O dO; write dQ dK dV
  op.dgrad_bytes = Bytes(kBf16Bytes * (2 * qkv + 2 * o + 2 * remote_kv) + kFp32Bytes * lse);
  op.saved = Bytes(kBf16Bytes * (s.save_qkv ? qkv + o : o) + kFp32Bytes * lse);
  return op;
}

double attention_score_elements(const AttentionShape& s) {
  DEEPSIM_ASSERT(s.seq_len > 0 && s.tokens % s.seq_len == 0, "attention: tokens not whole sequences");
  return d(s.tokens / s.seq_len) * d(s.q_heads) * d(s.seq_len) * d(s.seq_len);
}

Op attention_scores(std::string name, const AttentionShape& s) {
  Op op = named(std::move(name), OpKind::kGemm);
  const double scores = attention_score_elements(s), t = d(s.tokens);
  const double q = t * d(s.q_heads) * d(s.d_qk), k = t * d(s.kv_heads) * d(s.d_qk);
  op.gemm = {.m = s.seq_len, .n = s.seq_len, .k = s.d_qk};
  op.groups = static_cast<int>(s.tokens / s.seq_len * s.q_heads);
  // Megatron's baddbmm computes every (query, key) pair and the mask is applied after: no causal saving.
  op.fwd = Flops(2 * scores * d(s.d_qk));
  op.dgrad = Flops(4 * scores * d(s.d_qk));  // dQ = dS K, dK = dS^T Q
  op.fwd_bytes = Bytes(kBf16Bytes * (q + k + scores));
  op.dgrad_bytes = Bytes(kBf16Bytes * (scores + 2 * (q + k)));  // read dS, Q, K; write dQ, dK
  op.saved = Bytes(kBf16Bytes * (q + k));
  op.wgrad_launches = 0;
  return op;
}

Op attention_softmax(std::string name, const AttentionShape& s) {
  Op op = named(std::move(name), OpKind::kElementwise);
  const double e = attention_score_elements(s);
  op.fwd = Flops(kSoftmaxFwdFlopsPerElem * e);
  op.dgrad = Flops(kSoftmaxBwdFlopsPerElem * e);
  op.fwd_bytes = Bytes(2 * kBf16Bytes * e);   // read scores, write probabilities
  op.dgrad_bytes = Bytes(3 * kBf16Bytes * e); // read output and dy, write dx
  op.saved = Bytes(kBf16Bytes * e);           // its output
  return op;
}

Op attention_values(std::string name, const AttentionShape& s, bool save_probs) {
  Op op = named(std::move(name), OpKind::kGemm);
  const double p = attention_score_elements(s), t = d(s.tokens);
  const double v = t * d(s.kv_heads) * d(s.d_v), o = t * d(s.q_heads) * d(s.d_v);
  op.gemm = {.m = s.seq_len, .n = s.d_v, .k = s.seq_len};
  op.groups = static_cast<int>(s.tokens / s.seq_len * s.q_heads);
  op.fwd = Flops(2 * p * d(s.d_v));
  op.dgrad = Flops(4 * p * d(s.d_v));  // dP = dO V^T, dV = P^T dO
  op.fwd_bytes = Bytes(kBf16Bytes * (p + v + o));
  op.dgrad_bytes = Bytes(kBf16Bytes * (o + p + v + p + v));  // read dO, P, V; write dP, dV
  op.saved = Bytes(kBf16Bytes * ((save_probs ? p : 0.0) + v));
  op.wgrad_launches = 0;
  return op;
}

Op router(std::string name, std::int64_t tokens, std::int64_t experts, std::int64_t hidden, bool bias) {
  Op op = named(std::move(name), OpKind::kRouter);
  const double t = d(tokens), e = d(experts), h = d(hidden);
  op.gemm = {.m = tokens, .n = experts, .k = hidden};
  op.fwd = Flops(2 * t * e * h);
  op.dgrad = Flops(2 * t * e * h);
  op.wgrad = Flops(2 * t * e * h);
  op.fwd_bytes = Bytes(kBf16Bytes * (t * h + e * h) + kFp32Bytes * t * e);
  op.dgrad_bytes = Bytes(kFp32Bytes * t * e + kBf16Bytes * (e * h + t * h));
  op.wgrad_bytes = Bytes(kFp32Bytes * t * e + kBf16Bytes * t * h + 2 * kFp32Bytes * e * h);
  op.saved = Bytes(kBf16Bytes * t * h + kFp32Bytes * t * e);  // BF16 input and FP32 scores
  op.params = experts * hidden + (bias ? experts : 0);
  return op;
}

Op embedding(std::string name, std::int64_t tokens, std::int64_t vocab_rows, std::int64_t hidden) {
  Op op = named(std::move(name), OpKind::kEmbedding);
  const double e = d(tokens) * d(hidden);
  op.fwd_bytes = Bytes(2 * kBf16Bytes * e);                // gather rows, write them
  op.wgrad = Flops(e);                                      // scatter-add of the output gradient
  op.wgrad_bytes = Bytes(kBf16Bytes * e + 2 * kFp32Bytes * e);  // read dy, read-modify-write FP32 rows
  op.params = vocab_rows * hidden;
  return op;
}

Op cross_entropy(std::string name, std::int64_t tokens, std::int64_t vocab_cols) {
  Op op = named(std::move(name), OpKind::kLoss);
  const double e = d(tokens) * d(vocab_cols);
  op.fwd = Flops(kLossFwdFlopsPerLogit * e);
  op.dgrad = Flops(kLossBwdFlopsPerLogit * e);
  op.fwd_bytes = Bytes(kBf16Bytes * e + kFp32Bytes * d(tokens));
  op.dgrad_bytes = Bytes(2 * kBf16Bytes * e);  // read logits, write their gradient
  op.saved = Bytes(kBf16Bytes * e);            // the logits, from which the softmax is redone
  return op;
}

Op permute(std::string name, std::int64_t tokens, std::int64_t top_k, std::int64_t hidden, bool fp8) {
  Op op = named(std::move(name), OpKind::kElementwise);
  const double a = gemm_input_bytes(fp8);
  const double in = d(tokens) * d(hidden), out = in * d(top_k);
  op.fwd_bytes = Bytes(a * (in + out));
  op.dgrad = Flops(out);  // summing the top_k gradient copies of each token
  op.dgrad_bytes = Bytes(kBf16Bytes * (out + in));
  return op;
}

Op combine(std::string name, std::int64_t tokens, std::int64_t top_k, std::int64_t hidden) {
  Op op = named(std::move(name), OpKind::kElementwise);
  const double in = d(tokens) * d(top_k) * d(hidden), out = d(tokens) * d(hidden);
  // The routing weight is applied in the expert (on the down projection's input), so the combine is a
  // plain sum and keeps nothing for the backward; the weight's gradient comes from the SwiGLU backward.
  op.fwd = Flops(in);
  op.fwd_bytes = Bytes(kBf16Bytes * (in + out));
  op.dgrad_bytes = Bytes(kBf16Bytes * (out + in));  // broadcast dy to the top_k copies
  return op;
}

// FP8 casts: read BF16 (2 B), write FP8 (1 B) and a 4 B scale per 128 elements.
inline constexpr double kCastBytesPerElem = kBf16Bytes + kFp8Bytes + kFp32Bytes / 128.0;

Op fp8_casts(std::string name, std::int64_t tokens, std::int64_t n, std::int64_t k, bool input_fp8) {
  Op op = named(std::move(name), OpKind::kFp8Cast);
  const double x = d(tokens) * d(k), dy = d(tokens) * d(n);
  op.fwd_bytes = input_fp8 ? Bytes(0) : Bytes(kCastBytesPerElem * x);
  op.fwd_launches = input_fp8 ? 0 : 1;
  op.dgrad_bytes = Bytes(kCastBytesPerElem * dy);
  op.wgrad_bytes = Bytes(kCastBytesPerElem * (x + dy));
  op.wgrad_launches = 2;
  return op;
}

Op rope(std::string name, std::int64_t tokens, std::int64_t q_heads, std::int64_t k_heads, std::int64_t rope_dim) {
  Op op = named(std::move(name), OpKind::kSmall);
  const double e = d(tokens) * d(q_heads + k_heads) * d(rope_dim);
  op.fwd = Flops(3 * e);  // two multiplies and an add per element
  op.dgrad = Flops(3 * e);
  op.fwd_bytes = Bytes(2 * kBf16Bytes * e);
  op.dgrad_bytes = Bytes(2 * kBf16Bytes * e);
  op.fwd_launches = op.dgrad_launches = 2;
  return op;
}

Op copy(std::string name, double elements, int launches) {
  Op op = named(std::move(name), OpKind::kSmall);
  op.fwd_bytes = Bytes(2 * kBf16Bytes * elements);
  op.dgrad_bytes = Bytes(2 * kBf16Bytes * elements);
  op.fwd_launches = op.dgrad_launches = launches;
  return op;
}

Op residual_add(std::string name, std::int64_t tokens, std::int64_t width, bool dropout) {
  Op op = named(std::move(name), OpKind::kSmall);
  const double e = d(tokens) * d(width);
  const double mask = dropout ? kDropoutMaskBytes * e : 0.0;
  op.fwd = Flops(dropout ? 3 * e : e);
  op.dgrad = Flops(dropout ? 2 * e : e);
  op.fwd_bytes = Bytes(3 * kBf16Bytes * e + mask);
  op.dgrad_bytes = Bytes(3 * kBf16Bytes * e + mask);
  op.saved = Bytes(mask);
  return op;
}

Op router_topk(std::string name, std::int64_t tokens, std::int64_t experts, std::int64_t top_k) {
  // Forward: sigmoid, + bias, group scores, group top-k, mask, top-k, gather and normalise the weights:
  // about 8 reads + writes of the [T x E] FP32 scores. Backward: the weights' gradient scattered back
  // into the score gradient and through the sigmoid, about 4.
  constexpr double kFwdPasses = 8, kBwdPasses = 4;
  constexpr int kFwdLaunches = 30, kBwdLaunches = 20;
  Op op = named(std::move(name), OpKind::kSmall);
  const double scores = d(tokens) * d(experts);
  op.fwd = Flops(kFwdPasses * scores);
  op.dgrad = Flops(kBwdPasses * scores);
  op.fwd_bytes = Bytes(kFwdPasses * 2 * kFp32Bytes * scores + 8.0 * d(tokens) * d(top_k));  // + int64 indices
  op.dgrad_bytes = Bytes(kBwdPasses * 2 * kFp32Bytes * scores);
  op.fwd_launches = kFwdLaunches;
  op.dgrad_launches = kBwdLaunches;
  return op;
}

Op permute_index(std::string name, std::int64_t tokens, std::int64_t top_k, std::int64_t experts) {
  Op op = named(std::move(name), OpKind::kSmall);
  constexpr double kIndexBytes = 4;
  const double copies = d(tokens) * d(top_k);
  // Read the top-k indices (int64), write per-copy positions and the per-expert counts and offsets.
  op.fwd_bytes = Bytes(copies * (8 + 2 * kIndexBytes) + 2 * kIndexBytes * d(experts));
  op.fwd_launches = 4;
  op.dgrad_launches = 0;
  op.wgrad_launches = 0;
  return op;
}

}  // namespace deepsim::op_factory

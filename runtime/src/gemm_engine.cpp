// BF16 and FP8 Linear GEMMs (see gemm_engine.h).
#include "runtime/gemm_engine.h"

#include "kernels/fp8_quant.h"
#include "runtime/gpu_ops.h"

namespace deepsim::runtime {
namespace k = deepsim::kernels;
using bf16 = __nv_bfloat16;

namespace {
constexpr int kBf16RowAlign = 8;   // 16-byte rows for cuBLASLt BF16 operands
long round_up(long x, long m) { return (x + m - 1) / m * m; }
}  // namespace

GemmEngine::GemmEngine(Precision precision, DeviceArena& scratch) : precision_(precision), scratch_(scratch) {}

bool GemmEngine::uses_fp8(const LinearShape& s, bool fp8_allowed) const {
  // 1x128 tiles along K of the forward and of the data gradient: in and out whole 128-blocks keep every
  // scale tile full, which is how DeepSeek-V3's dimensions are (fallback to BF16 otherwise).
  return fp8_allowed && precision_ == Precision::kFp8 && s.in % k::kFp8Block == 0 && s.out % k::kFp8Block == 0;
}

void GemmEngine::bf16_nt(const bf16* a, long lda, const bf16* b, long ldb, void* c, long ldc, k::GemmOutType out, int m,
                         int n, int kk, cudaStream_t stream) {
  k::Bf16GemmParams p;
  p.a = a;
  p.b = b;
  p.c = c;
  p.lda = lda;
  p.ldb = ldb;
  p.ldc = ldc;
  p.out_type = out;
  p.m = m;
  p.n = n;
  p.k = kk;
  const LaunchTag tag(tagger_, false);
  lt_.bf16(p, stream);
}

void GemmEngine::forward(const bf16* x, const bf16* w, bf16* y, const LinearShape& s, bool fp8_allowed, cudaStream_t stream) {
  if (s.tokens == 0) return;
  if (!uses_fp8(s, fp8_allowed)) {
    bf16_nt(x, s.in, w, s.in, y, s.out, k::GemmOutType::kBf16, s.tokens, s.out, s.in, stream);
    return;
  }
  auto* xq = scratch_.get<std::uint8_t>("gemm.xq", static_cast<std::size_t>(s.tokens) * s.in);
  auto* xs = scratch_.get<float>("gemm.xs", static_cast<std::size_t>(k::scale_count_1x128(s.tokens, s.in)));
  auto* wq = scratch_.get<std::uint8_t>("gemm.wq", static_cast<std::size_t>(s.out) * s.in);
  auto* ws = scratch_.get<float>("gemm.ws", static_cast<std::size_t>(k::scale_count_128x128(s.out, s.in)));
  {
    const AuxKernelTag aux(tagger_, "fp8_quant");
    k::fp8_quant_1x128({x, xq, xs, s.in, s.in, s.tokens, s.in, false}, stream);
    k::fp8_quant_128x128({w, wq, ws, s.in, s.in, s.out, s.in, false, false}, stream);
  }
  const LaunchTag tag(tagger_, true);
  lt_.fp8(k::fp8_fprop_params(xq, xs, wq, ws, y, k::GemmOutType::kBf16, s.tokens, s.in, s.out), stream);
}

void GemmEngine::forward_fp32(const bf16* x, const bf16* w, float* y, const LinearShape& s, cudaStream_t stream) {
  if (s.tokens == 0) return;
  bf16_nt(x, s.in, w, s.in, y, s.out, k::GemmOutType::kFp32, s.tokens, s.out, s.in, stream);
}

void GemmEngine::backward_data(const bf16* dy, const bf16* w, bf16* dx, const LinearShape& s, bool fp8_allowed,
                               cudaStream_t stream) {
  if (s.tokens == 0) return;
  if (!uses_fp8(s, fp8_allowed)) {
    const long ld = round_up(s.out, kBf16RowAlign);
    auto* wt = scratch_.get<bf16>("gemm.wt", static_cast<std::size_t>(s.in) * ld);
    {
      const AuxKernelTag aux(tagger_, "transpose");
      gpu::transpose(w, s.in, wt, ld, s.out, s.in, stream);  // [in][ld] = W^T
    }
    bf16_nt(dy, s.out, wt, ld, dx, s.in, k::GemmOutType::kBf16, s.tokens, s.in, s.out, stream);
    return;
  }
  auto* dyq = scratch_.get<std::uint8_t>("gemm.dyq", static_cast<std::size_t>(s.tokens) * s.out);
  auto* dys = scratch_.get<float>("gemm.dys", static_cast<std::size_t>(k::scale_count_1x128(s.tokens, s.out)));
  auto* wtq = scratch_.get<std::uint8_t>("gemm.wtq", static_cast<std::size_t>(s.out) * s.in);
  auto* wts = scratch_.get<float>("gemm.wts", static_cast<std::size_t>(k::scale_count_128x128(s.in, s.out)));
  {
    const AuxKernelTag aux(tagger_, "fp8_quant");
    k::fp8_quant_1x128({dy, dyq, dys, s.out, s.out, s.tokens, s.out, false}, stream);
    k::fp8_quant_128x128({w, wtq, wts, s.in, s.out, s.out, s.in, true, false}, stream);
  }
  const LaunchTag tag(tagger_, true);
  lt_.fp8(k::fp8_dgrad_params(dyq, dys, wtq, wts, dx, k::GemmOutType::kBf16, s.tokens, s.in, s.out), stream);
}

void GemmEngine::backward_weight(const bf16* dy, const bf16* x, float* dw, const LinearShape& s, bool fp8_allowed,
                                 cudaStream_t stream) {
  if (s.tokens == 0) return;
  auto* tmp = scratch_.get<float>("gemm.dw", static_cast<std::size_t>(s.out) * s.in);
  if (!uses_fp8(s, fp8_allowed)) {
    const long tp = round_up(s.tokens, kBf16RowAlign);
    auto* dyt = scratch_.get<bf16>("gemm.dyt", static_cast<std::size_t>(s.out) * tp);
    auto* xt = scratch_.get<bf16>("gemm.xt", static_cast<std::size_t>(s.in) * tp);
    {
      const AuxKernelTag aux(tagger_, "transpose");
      gpu::transpose(dy, s.out, dyt, tp, s.tokens, s.out, stream);
      gpu::transpose(x, s.in, xt, tp, s.tokens, s.in, stream);
    }
    bf16_nt(dyt, tp, xt, tp, tmp, s.in, k::GemmOutType::kFp32, s.out, s.in, static_cast<int>(tp), stream);
  } else {
    const long tp = k::fp8_wgrad_padded_tokens(s.tokens);
    auto* dytq = scratch_.get<std::uint8_t>("gemm.dytq", static_cast<std::size_t>(s.out) * tp);
    auto* xtq = scratch_.get<std::uint8_t>("gemm.xtq", static_cast<std::size_t>(s.in) * tp);
    auto* dyts = scratch_.get<float>("gemm.dyts", static_cast<std::size_t>(k::scale_count_1x128(s.out, tp)));
    auto* xts = scratch_.get<float>("gemm.xts", static_cast<std::size_t>(k::scale_count_1x128(s.in, tp)));
    // Zero codes in the padded tokens (Tp - T) contribute nothing; Tp rounds up to whole 128-token scale
    // blocks (cuBLASLt's 1x128 mode is documented for whole K blocks), so the padding stays inside the last
    // block whose scale the quantiser wrote (gemm_cublaslt.h).
    DEEPSIM_CUDA_CHECK(cudaMemsetAsync(dytq, 0, static_cast<std::size_t>(s.out) * tp, stream));
    DEEPSIM_CUDA_CHECK(cudaMemsetAsync(xtq, 0, static_cast<std::size_t>(s.in) * tp, stream));
    {
      const AuxKernelTag aux(tagger_, "fp8_quant");
      k::fp8_quant_1x128_transposed({dy, dytq, dyts, s.out, tp, s.tokens, s.out, false}, stream);
      k::fp8_quant_1x128_transposed({x, xtq, xts, s.in, tp, s.tokens, s.in, false}, stream);
    }
    const LaunchTag tag(tagger_, true);
    lt_.fp8(k::fp8_wgrad_params(dytq, dyts, xtq, xts, tmp, k::GemmOutType::kFp32, static_cast<int>(tp), s.in, s.out),
            stream);
  }
  const AuxKernelTag aux(tagger_, "accumulate");
  gpu::accumulate(dw, tmp, static_cast<long>(s.out) * s.in, stream);
}

}  // namespace deepsim::runtime

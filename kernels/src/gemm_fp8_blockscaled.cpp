// Block-scaled FP8 GEMM entry points (gemm_cublaslt.h): validation of cuBLASLt's FP8 rules, and the
// Fprop / Dgrad / Wgrad mappings of a Linear onto the NT GEMM.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "kernels/fp8_quant.h"
#include "kernels/gemm_cublaslt.h"

namespace deepsim::kernels {
namespace {

constexpr long kAlignBytes = 16;  // cuBLASLt FP8: 16-byte aligned pointers and leading dimensions

bool aligned(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % kAlignBytes == 0; }

void validate(const Fp8GemmParams& p) {
  const auto fail = [](const std::string& why) { throw std::invalid_argument("CublasLtGemm::fp8: " + why); };
  if (p.a.data == nullptr || p.b.data == nullptr || p.a.scale == nullptr || p.b.scale == nullptr || p.c == nullptr)
    fail("null pointer");
  if (p.m < 0 || p.n < 0 || p.k <= 0) fail("need m, n >= 0 and k > 0");
  // Block scaling (1x128 and 128x128) is documented for whole 128-element K blocks; a ragged last block is
  // not (cuBLAS docs, "block scaling"), so it is refused here rather than left to chance.
  if (p.k % kFp8Block != 0)
    fail("k must be a multiple of 128 with block-scaled operands (pad Wgrad's tokens with zero codes to "
         "fp8_wgrad_padded_tokens())");
  if (p.a.ld < p.k || p.b.ld < p.k || p.ldc < p.n) fail("leading dimensions must cover k (operands) and n (output)");
  const long out_bytes = p.out_type == GemmOutType::kBf16 ? 2 : 4;
  if (p.a.ld % kAlignBytes != 0 || p.b.ld % kAlignBytes != 0 || (p.ldc * out_bytes) % kAlignBytes != 0)
    fail("leading dimensions must be multiples of 16 bytes");
  if (!aligned(p.a.data) || !aligned(p.b.data) || !aligned(p.c) || !aligned(p.a.scale) || !aligned(p.b.scale))
    fail("pointers must be 16-byte aligned");
}

Fp8GemmOperand operand(const std::uint8_t* q, const float* scale, long ld, Fp8ScaleMode mode) {
  Fp8GemmOperand o;
  o.data = q;
  o.scale = scale;
  o.ld = ld;
  o.mode = mode;
  return o;
}

Fp8GemmParams nt(const Fp8GemmOperand& a, const Fp8GemmOperand& b, void* c, GemmOutType out_type, int m, int n, int k) {
  Fp8GemmParams p;
  p.a = a;
  p.b = b;
  p.c = c;
  p.ldc = n;
  p.out_type = out_type;
  p.m = m;
  p.n = n;
  p.k = k;
  return p;
}

}  // namespace

void CublasLtGemm::fp8(const Fp8GemmParams& p, cudaStream_t stream) {
  validate(p);
  Call c{};
  c.input_type = CUDA_R_8F_E4M3;
  c.out_type = p.out_type == GemmOutType::kBf16 ? CUDA_R_16BF : CUDA_R_32F;
  c.a = p.a.data;
  c.b = p.b.data;
  c.c = p.c;
  c.a_scale = p.a.scale;
  c.b_scale = p.b.scale;
  c.a_mode = static_cast<std::int32_t>(p.a.mode);
  c.b_mode = static_cast<std::int32_t>(p.b.mode);
  c.lda = p.a.ld;
  c.ldb = p.b.ld;
  c.ldc = p.ldc;
  c.m = p.m;
  c.n = p.n;
  c.k = p.k;
  run(c, stream);
}

Fp8GemmParams fp8_fprop_params(const std::uint8_t* x_q, const float* x_scale, const std::uint8_t* w_q,
                               const float* w_scale, void* y, GemmOutType out_type, int tokens, int in, int out) {
  return nt(operand(x_q, x_scale, in, Fp8ScaleMode::k1x128), operand(w_q, w_scale, in, Fp8ScaleMode::k128x128), y,
            out_type, tokens, out, in);
}

Fp8GemmParams fp8_dgrad_params(const std::uint8_t* dy_q, const float* dy_scale, const std::uint8_t* wt_q,
                               const float* wt_scale, void* dx, GemmOutType out_type, int tokens, int in, int out) {
  return nt(operand(dy_q, dy_scale, out, Fp8ScaleMode::k1x128), operand(wt_q, wt_scale, out, Fp8ScaleMode::k128x128),
            dx, out_type, tokens, in, out);
}

Fp8GemmParams fp8_wgrad_params(const std::uint8_t* dyt_q, const float* dyt_scale, const std::uint8_t* xt_q,
                               const float* xt_scale, void* dw, GemmOutType out_type, int tokens_padded, int in,
                               int out) {
  if (tokens_padded <= 0 || tokens_padded % kFp8WgradKAlign != 0)
    throw std::invalid_argument("fp8_wgrad_params: tokens_padded " + std::to_string(tokens_padded) +
                                " is not a positive multiple of 128 (use fp8_wgrad_padded_tokens)");
  return nt(operand(dyt_q, dyt_scale, tokens_padded, Fp8ScaleMode::k1x128),
            operand(xt_q, xt_scale, tokens_padded, Fp8ScaleMode::k1x128), dw, out_type, out, in, tokens_padded);
}

}  // namespace deepsim::kernels

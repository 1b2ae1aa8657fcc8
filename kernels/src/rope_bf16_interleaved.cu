// RoPE on BF16 in place, DeepSeek's interleaved pair layout (rope.h). One thread per (token, head, pair):
// the pair is read as one bf16x2, rotated in FP32 with the table's (cos, sin) and written back.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <stdexcept>

#include "kernels/check.h"
#include "kernels/rope.h"

namespace deepsim::kernels {
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads) rope_bf16_interleaved_kernel(const RopeParams p) {
  const int pairs = p.rope_dim / 2;
  const long idx = static_cast<long>(blockIdx.x) * kThreads + threadIdx.x;
  if (idx >= static_cast<long>(p.num_tokens) * p.num_heads * pairs) return;
  const int i = static_cast<int>(idx % pairs);
  const long token_head = idx / pairs;
  const long head = token_head % p.num_heads;
  const long token = token_head / p.num_heads;
  auto* pair = reinterpret_cast<__nv_bfloat162*>(p.x + token * p.token_stride + head * p.head_stride +
                                                  p.rope_offset + 2 * i);
  const int pos = p.positions[token];
  if (pos < 0 || pos >= p.max_position) {  // caller bug: make it loud rather than read out of bounds
    *pair = __floats2bfloat162_rn(__int_as_float(0x7fc00000), __int_as_float(0x7fc00000));
    return;
  }
  const float2 cs = reinterpret_cast<const float2*>(p.cos_sin)[static_cast<long>(pos) * pairs + i];
  const float s = p.inverse ? -cs.y : cs.y;
  const float2 x = __bfloat1622float2(*pair);
  *pair = __floats2bfloat162_rn(x.x * cs.x - x.y * s, x.x * s + x.y * cs.x);
}

}  // namespace

void rope_apply(const RopeParams& p, cudaStream_t stream) {
  if (p.x == nullptr || p.positions == nullptr || p.cos_sin == nullptr)
    throw std::invalid_argument("rope_apply: null pointer");
  if (p.rope_dim <= 0 || p.rope_dim % 2 != 0 || p.num_tokens < 0 || p.num_heads <= 0 || p.max_position <= 0)
    throw std::invalid_argument("rope_apply: rope_dim must be even and positive; counts positive");
  if (p.token_stride % 2 != 0 || p.head_stride % 2 != 0 || p.rope_offset % 2 != 0 ||
      reinterpret_cast<std::uintptr_t>(p.x) % 4 != 0)
    throw std::invalid_argument("rope_apply: strides, offset and base must keep bf16 pairs 4-byte aligned");
  const long total = static_cast<long>(p.num_tokens) * p.num_heads * (p.rope_dim / 2);
  if (total == 0) return;
  const auto blocks = static_cast<unsigned>((total + kThreads - 1) / kThreads);
  rope_bf16_interleaved_kernel<<<blocks, kThreads, 0, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels

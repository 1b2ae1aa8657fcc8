// MLA glue between the projection GEMMs and the attention kernels (DeepSeek-V3 MLA, naive mode):
//   forward : kv_b output [T, H, 256] (per head k_nope 128 | v 128) + shared post-RoPE k_rope [T, 64]
//             -> k [T, H, 192] (k_nope | k_rope broadcast to every head), v [T, H, 128]
//   backward: dk, dv -> dkv_b [T, H, 256] (dk_nope | dv), dk_rope[t] = sum_h dk[t, h, 128:192] (FP32 sum)
// The projections themselves are GEMMs (kernels-gemm's interface): kv_a = x wkv_a^T [T, 576] =
// (latent 512 | k_rope 64); RMSNorm reads the latent in place (row stride 576); RoPE rotates k_rope in place
// (token stride 576, offset 512); kv_b = RMSNorm(latent) wkv_b^T. The query needs no glue: q_b's output is
// already [T, H, 192] = (q_nope | q_rope) and RoPE runs in place on offset 128.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

namespace deepsim::kernels {

struct MlaKvAssembleFwdParams {
  const __nv_bfloat16* kv_b = nullptr;    // [tokens, heads, 256] wkv_b output
  const __nv_bfloat16* k_rope = nullptr;  // row t at k_rope + t*k_rope_stride, 64 values (post-RoPE)
  long k_rope_stride = 64;                // elements; 576 when pointing at offset 512 of the kv_a output
  __nv_bfloat16* k = nullptr;             // [tokens, heads, 192] output
  __nv_bfloat16* v = nullptr;             // [tokens, heads, 128] output
  int tokens = 0;
  int heads = 0;
};
void mla_kv_assemble_forward(const MlaKvAssembleFwdParams& p, cudaStream_t stream);

struct MlaKvAssembleBwdParams {
  const __nv_bfloat16* dk = nullptr;  // [tokens, heads, 192]
  const __nv_bfloat16* dv = nullptr;  // [tokens, heads, 128]
  __nv_bfloat16* dkv_b = nullptr;     // [tokens, heads, 256] output
  __nv_bfloat16* dk_rope = nullptr;   // row t at dk_rope + t*dk_rope_stride, 64 values (pre-RoPE-backward)
  long dk_rope_stride = 64;
  int tokens = 0;
  int heads = 0;
};
void mla_kv_assemble_backward(const MlaKvAssembleBwdParams& p, cudaStream_t stream);

}  // namespace deepsim::kernels

// Small runtime-local CUDA kernels the model needs between the kernels library's ops: embedding gather and
// its scatter-add backward, residual adds, gradient accumulation, transposes for the NT-only GEMMs, row
// gathers for expert dispatch, the MoE combine/dispatch backward, the router's gate backward, casts, and the
// NaN/Inf detector of the debug mode. All BF16 data with FP32 math; every launch is checked.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace deepsim::runtime::gpu {

using bf16 = __nv_bfloat16;

// out[t][:] = table[tokens[t]][:]
void embedding_gather(const bf16* table, const std::int32_t* tokens, bf16* out, int n_tokens, int hidden,
                      cudaStream_t s);
// dtable[tokens[t]][:] += dy[t][:] (FP32 atomics: the order of equal tokens is not fixed)
void embedding_scatter_add(float* dtable, const std::int32_t* tokens, const bf16* dy, int n_tokens, int hidden,
                           cudaStream_t s);
// y = a + b (elementwise, n values); y may alias a.
void add(const bf16* a, const bf16* b, bf16* y, long n, cudaStream_t s);
// acc += x, FP32 accumulator (gradient accumulation across micro-batches and GEMM calls).
void accumulate(float* acc, const float* x, long n, cudaStream_t s);
void accumulate(float* acc, const bf16* x, long n, cudaStream_t s);
void cast(const float* x, bf16* y, long n, cudaStream_t s);
void cast_to_float(const bf16* x, float* y, long n, cudaStream_t s);
// out[c][r] = in[r][c] for r < rows, c < cols; out rows have stride out_ld >= rows, zero-filled to out_ld.
void transpose(const bf16* in, long in_ld, bf16* out, long out_ld, int rows, int cols, cudaStream_t s);
// dst[i][:] = src[idx[i]][:] for i < n_rows (idx < 0: zero row).
void gather_rows(const bf16* src, const std::int32_t* idx, bf16* dst, int n_rows, int cols, cudaStream_t s);
// MoE combine backward: dy_perm[perm_row[t,j]] = gate[t,j] dy[t];  dgate[t,j] = dy[t] . y_perm[perm_row[t,j]].
void unpermute_backward(const bf16* dy, const bf16* y_perm, const std::int32_t* perm_row, const float* gates,
                        bf16* dy_perm, float* dgates, int n_tokens, int top_k, int hidden, cudaStream_t s);
// MoE dispatch backward: dx[t] = sum_j dx_perm[perm_row[t,j]] (FP32 sum, one rounding).
void permute_backward(const bf16* dx_perm, const std::int32_t* perm_row, bf16* dx, int n_tokens, int top_k,
                      int hidden, cudaStream_t s);
// Sigmoid router backward (cpu_layer_ffn.cpp's formula): dlogits [T][E] FP32, zero where not selected.
void router_backward(const float* logits, const std::int32_t* idx, const float* dgates, float* dlogits,
                     int n_tokens, int n_experts, int top_k, float route_scale, cudaStream_t s);
// Sets *flag to 1 if any of the n values is NaN or Inf (flag is not cleared).
void check_finite(const bf16* x, long n, int* flag, cudaStream_t s);
void check_finite(const float* x, long n, int* flag, cudaStream_t s);

}  // namespace deepsim::runtime::gpu

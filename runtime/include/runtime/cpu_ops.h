// Building blocks of the CPU reference model: Linear forward/backward on the FP64 reference GEMMs
// (kernels/cpu_ref_gemm.h), column slices, embedding, and RMSNorm with accumulated weight gradients.
// FP32 storage, FP64 sums: the model's gradients are checked against finite differences with these.
#pragma once

#include <cstdint>
#include <vector>

namespace deepsim::runtime::cpu {

using Vec = std::vector<float>;

// y[T][out] = x[T][in] W[out][in]^T.
[[nodiscard]] Vec linear_forward(const Vec& x, const float* w, int tokens, int in, int out);
// dx[T][in] = dy W; dW[out][in] += dy^T x (dw may be null: no weight gradient).
[[nodiscard]] Vec linear_backward(const Vec& x, const Vec& dy, const float* w, float* dw, int tokens, int in, int out);

// Columns [c0, c0 + width) of a rows x cols matrix, and the adjoint (adds into those columns).
[[nodiscard]] Vec slice_cols(const Vec& x, int rows, int cols, int c0, int width);
void add_cols(Vec& x, int rows, int cols, int c0, int width, const Vec& part);

// y = RMSNorm(x) * w; rstd kept for the backward. dx returned, dw accumulated.
[[nodiscard]] Vec rmsnorm_forward(const Vec& x, const float* w, int rows, int hidden);
[[nodiscard]] Vec rmsnorm_backward(const Vec& x, const float* w, const Vec& dy, float* dw, int rows, int hidden);

[[nodiscard]] Vec embedding_forward(const float* table, const std::vector<std::int32_t>& tokens, int hidden);
void embedding_backward(float* dtable, const std::vector<std::int32_t>& tokens, const Vec& dy, int hidden);

void add_into(Vec& acc, const Vec& x);

}  // namespace deepsim::runtime::cpu

// Runtime-local CUDA kernels (see gpu_ops.h). Grid-stride loops; 256 threads per block.
#include "kernels/check.h"
#include "runtime/gpu_ops.h"

namespace deepsim::runtime::gpu {
namespace {

constexpr int kThreads = 256;
constexpr long kMaxBlocks = 65535;

unsigned blocks_for(long n) {
  const long b = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(b < 1 ? 1 : (b > kMaxBlocks ? kMaxBlocks : b));
}

__global__ void embedding_gather_kernel(const bf16* table, const std::int32_t* tokens, bf16* out, long n, int hidden) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < n; i += static_cast<long>(gridDim.x) * blockDim.x) {
    const long t = i / hidden;
    out[i] = table[static_cast<long>(tokens[t]) * hidden + i % hidden];
  }
}

__global__ void embedding_scatter_kernel(float* dtable, const std::int32_t* tokens, const bf16* dy, long n, int hidden) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < n; i += static_cast<long>(gridDim.x) * blockDim.x) {
    const long t = i / hidden;
    atomicAdd(&dtable[static_cast<long>(tokens[t]) * hidden + i % hidden], __bfloat162float(dy[i]));
  }
}

__global__ void add_kernel(const bf16* a, const bf16* b, bf16* y, long n) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < n; i += static_cast<long>(gridDim.x) * blockDim.x)
    y[i] = __float2bfloat16(__bfloat162float(a[i]) + __bfloat162float(b[i]));
}

template <typename T>
__device__ float to_f(T v);
template <>
__device__ float to_f<float>(float v) { return v; }
template <>
__device__ float to_f<bf16>(bf16 v) { return __bfloat162float(v); }

template <typename T>
__global__ void accumulate_kernel(float* acc, const T* x, long n) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < n; i += static_cast<long>(gridDim.x) * blockDim.x)
    acc[i] += to_f(x[i]);
}

__global__ void cast_kernel(const float* x, bf16* y, long n) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < n; i += static_cast<long>(gridDim.x) * blockDim.x)
    y[i] = __float2bfloat16(x[i]);
}

__global__ void cast_to_float_kernel(const bf16* x, float* y, long n) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < n; i += static_cast<long>(gridDim.x) * blockDim.x)
    y[i] = __bfloat162float(x[i]);
}

constexpr int kTile = 32;
__global__ void transpose_kernel(const bf16* in, long in_ld, bf16* out, long out_ld, int rows, int cols) {
  __shared__ bf16 tile[kTile][kTile + 1];  // +1: no bank conflicts on the transposed read
  const int c = blockIdx.x * kTile + threadIdx.x;
  for (int dy = threadIdx.y; dy < kTile; dy += blockDim.y) {
    const int r = blockIdx.y * kTile + dy;
    tile[dy][threadIdx.x] = (r < rows && c < cols) ? in[static_cast<long>(r) * in_ld + c] : __float2bfloat16(0.f);
  }
  __syncthreads();
  const int r_out = blockIdx.y * kTile + threadIdx.x;  // column of out = row of in
  for (int dy = threadIdx.y; dy < kTile; dy += blockDim.y) {
    const int c_out = blockIdx.x * kTile + dy;          // row of out = column of in
    if (c_out < cols && r_out < out_ld) out[static_cast<long>(c_out) * out_ld + r_out] = tile[threadIdx.x][dy];
  }
}

__global__ void gather_rows_kernel(const bf16* src, const std::int32_t* idx, bf16* dst, long n, int cols) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < n; i += static_cast<long>(gridDim.x) * blockDim.x) {
    const long r = i / cols;
    const int s = idx[r];
    dst[i] = s < 0 ? __float2bfloat16(0.f) : src[static_cast<long>(s) * cols + i % cols];
  }
}

// One block per (token, slot): scatter the scaled gradient and reduce the gate gradient.
__global__ void unpermute_backward_kernel(const bf16* dy, const bf16* y_perm, const std::int32_t* perm_row,
                                          const float* gates, bf16* dy_perm, float* dgates, int top_k, int hidden) {
  const int tj = blockIdx.x;
  const int t = tj / top_k;
  const long row = perm_row[tj];
  const float g = gates[tj];
  float dot = 0.f;
  for (int c = threadIdx.x; c < hidden; c += blockDim.x) {
    const float d = __bfloat162float(dy[static_cast<long>(t) * hidden + c]);
    dy_perm[row * hidden + c] = __float2bfloat16(g * d);
    dot += d * __bfloat162float(y_perm[row * hidden + c]);
  }
  __shared__ float partial[kThreads];
  partial[threadIdx.x] = dot;
  __syncthreads();
  for (int w = blockDim.x / 2; w > 0; w /= 2) {
    if (static_cast<int>(threadIdx.x) < w) partial[threadIdx.x] += partial[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0) dgates[tj] = partial[0];
}

__global__ void permute_backward_kernel(const bf16* dx_perm, const std::int32_t* perm_row, bf16* dx, long n, int top_k,
                                        int hidden) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < n; i += static_cast<long>(gridDim.x) * blockDim.x) {
    const long t = i / hidden;
    float s = 0.f;
    for (int j = 0; j < top_k; ++j) s += __bfloat162float(dx_perm[static_cast<long>(perm_row[t * top_k + j]) * hidden + i % hidden]);
    dx[i] = __float2bfloat16(s);
  }
}

__global__ void router_backward_kernel(const float* logits, const std::int32_t* idx, const float* dgates, float* dlogits,
                                       int n_tokens, int n_experts, int top_k, float route_scale) {
  const int t = blockIdx.x * blockDim.x + threadIdx.x;
  if (t >= n_tokens) return;
  float sum_s = 0.f;
  float dot = 0.f;
  for (int j = 0; j < top_k; ++j) {
    const float s = 1.f / (1.f + expf(-logits[static_cast<long>(t) * n_experts + idx[t * top_k + j]]));
    sum_s += s;
    dot += dgates[t * top_k + j] * s;
  }
  for (int j = 0; j < top_k; ++j) {
    const long li = static_cast<long>(t) * n_experts + idx[t * top_k + j];
    const float s = 1.f / (1.f + expf(-logits[li]));
    const float ds = route_scale * (dgates[t * top_k + j] / sum_s - dot / (sum_s * sum_s));
    dlogits[li] = ds * s * (1.f - s);
  }
}

template <typename T>
__global__ void check_finite_kernel(const T* x, long n, int* flag) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < n; i += static_cast<long>(gridDim.x) * blockDim.x)
    if (!isfinite(to_f(x[i]))) *flag = 1;
}

}  // namespace

void embedding_gather(const bf16* table, const std::int32_t* tokens, bf16* out, int n_tokens, int hidden, cudaStream_t s) {
  const long n = static_cast<long>(n_tokens) * hidden;
  embedding_gather_kernel<<<blocks_for(n), kThreads, 0, s>>>(table, tokens, out, n, hidden);
  DEEPSIM_LAUNCH_CHECK();
}
void embedding_scatter_add(float* dtable, const std::int32_t* tokens, const bf16* dy, int n_tokens, int hidden,
                           cudaStream_t s) {
  const long n = static_cast<long>(n_tokens) * hidden;
  embedding_scatter_kernel<<<blocks_for(n), kThreads, 0, s>>>(dtable, tokens, dy, n, hidden);
  DEEPSIM_LAUNCH_CHECK();
}
void add(const bf16* a, const bf16* b, bf16* y, long n, cudaStream_t s) {
  add_kernel<<<blocks_for(n), kThreads, 0, s>>>(a, b, y, n);
  DEEPSIM_LAUNCH_CHECK();
}
void accumulate(float* acc, const float* x, long n, cudaStream_t s) {
  accumulate_kernel<float><<<blocks_for(n), kThreads, 0, s>>>(acc, x, n);
  DEEPSIM_LAUNCH_CHECK();
}
void accumulate(float* acc, const bf16* x, long n, cudaStream_t s) {
  accumulate_kernel<bf16><<<blocks_for(n), kThreads, 0, s>>>(acc, x, n);
  DEEPSIM_LAUNCH_CHECK();
}
void cast(const float* x, bf16* y, long n, cudaStream_t s) {
  cast_kernel<<<blocks_for(n), kThreads, 0, s>>>(x, y, n);
  DEEPSIM_LAUNCH_CHECK();
}
void cast_to_float(const bf16* x, float* y, long n, cudaStream_t s) {
  cast_to_float_kernel<<<blocks_for(n), kThreads, 0, s>>>(x, y, n);
  DEEPSIM_LAUNCH_CHECK();
}
void transpose(const bf16* in, long in_ld, bf16* out, long out_ld, int rows, int cols, cudaStream_t s) {
  // Columns of out beyond `rows` (padding up to out_ld) are written as zeros by the ragged tile.
  const dim3 grid(static_cast<unsigned>((cols + kTile - 1) / kTile), static_cast<unsigned>((out_ld + kTile - 1) / kTile));
  transpose_kernel<<<grid, dim3(kTile, 8), 0, s>>>(in, in_ld, out, out_ld, rows, cols);
  DEEPSIM_LAUNCH_CHECK();
}
void gather_rows(const bf16* src, const std::int32_t* idx, bf16* dst, int n_rows, int cols, cudaStream_t s) {
  const long n = static_cast<long>(n_rows) * cols;
  if (n == 0) return;
  gather_rows_kernel<<<blocks_for(n), kThreads, 0, s>>>(src, idx, dst, n, cols);
  DEEPSIM_LAUNCH_CHECK();
}
void unpermute_backward(const bf16* dy, const bf16* y_perm, const std::int32_t* perm_row, const float* gates,
                        bf16* dy_perm, float* dgates, int n_tokens, int top_k, int hidden, cudaStream_t s) {
  unpermute_backward_kernel<<<static_cast<unsigned>(n_tokens * top_k), kThreads, 0, s>>>(dy, y_perm, perm_row, gates,
                                                                                          dy_perm, dgates, top_k, hidden);
  DEEPSIM_LAUNCH_CHECK();
}
void permute_backward(const bf16* dx_perm, const std::int32_t* perm_row, bf16* dx, int n_tokens, int top_k, int hidden,
                      cudaStream_t s) {
  const long n = static_cast<long>(n_tokens) * hidden;
  permute_backward_kernel<<<blocks_for(n), kThreads, 0, s>>>(dx_perm, perm_row, dx, n, top_k, hidden);
  DEEPSIM_LAUNCH_CHECK();
}
void router_backward(const float* logits, const std::int32_t* idx, const float* dgates, float* dlogits, int n_tokens,
                     int n_experts, int top_k, float route_scale, cudaStream_t s) {
  DEEPSIM_CUDA_CHECK(cudaMemsetAsync(dlogits, 0, sizeof(float) * static_cast<std::size_t>(n_tokens) * n_experts, s));
  router_backward_kernel<<<blocks_for(n_tokens), kThreads, 0, s>>>(logits, idx, dgates, dlogits, n_tokens, n_experts,
                                                                   top_k, route_scale);
  DEEPSIM_LAUNCH_CHECK();
}
void check_finite(const bf16* x, long n, int* flag, cudaStream_t s) {
  check_finite_kernel<bf16><<<blocks_for(n), kThreads, 0, s>>>(x, n, flag);
  DEEPSIM_LAUNCH_CHECK();
}
void check_finite(const float* x, long n, int* flag, cudaStream_t s) {
  check_finite_kernel<float><<<blocks_for(n), kThreads, 0, s>>>(x, n, flag);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::runtime::gpu

// Device-side building blocks shared by the MLA attention kernels (sm90_mla_bf16_attention_*.cu):
// tile constants, cp.async tile loads with zero-fill, ldmatrix fragment loads and mma.sync m16n8k16 BF16.
//
// Fragment layouts (PTX ISA, mma.m16n8k16 .bf16; g = lane / 4, t = lane % 4):
//   A (16x16, row): a0 = A[g][2t..2t+1], a1 = A[g+8][2t..], a2 = A[g][2t+8..], a3 = A[g+8][2t+8..]
//   B (16x8, col):  b0 = B[2t..2t+1][g], b1 = B[2t+8..2t+9][g]
//   C (16x8, f32):  c0,c1 = C[g][2t..2t+1], c2,c3 = C[g+8][2t..2t+1]
// A C tile of a QK^T product therefore becomes the A fragment of the following P.V product without a trip
// through shared memory (pack_a_from_acc).
#pragma once

#include <cuda_bf16.h>

#include <cstdint>
#include <cstring>

#include "kernels/attention.h"

namespace deepsim::kernels::mla_detail {

using bf16 = __nv_bfloat16;

inline constexpr int kBlockM = 64;                  // query rows per CTA tile
inline constexpr int kBlockN = 64;                  // key rows per CTA tile
inline constexpr int kWarps = 4;                    // each warp owns 16 rows of the CTA tile
inline constexpr int kThreads = kWarps * 32;
inline constexpr int kWarpRows = 16;                // the mma M dimension
inline constexpr int kPad = 8;                      // bf16 of padding per smem row: 16 bytes
inline constexpr int kLdQk = kMlaQkHeadDim + kPad;  // 200 bf16 = 400 B: 8 consecutive rows hit distinct banks
inline constexpr int kLdV = kMlaVHeadDim + kPad;    // 136 bf16 = 272 B
inline constexpr float kLog2e = 1.4426950408889634f;
inline constexpr float kLn2 = 0.6931471805599453f;

static_assert(kBlockM == kWarps * kWarpRows, "each warp owns exactly 16 query (or key) rows of a tile");
static_assert(kMlaQkHeadDim % 16 == 0 && kMlaVHeadDim % 16 == 0, "head dims must be multiples of the mma K=16");
static_assert(kBlockN % 16 == 0, "key tile must be a multiple of the mma K=16 for the P.V product");
static_assert((kLdQk * 2) % 16 == 0 && (kLdV * 2) % 16 == 0, "smem rows must stay 16-byte aligned for cp.async/ldmatrix");
static_assert(((kLdQk * 2) / 16) % 2 == 1 && ((kLdV * 2) / 16) % 2 == 1,
              "row pitch must be an odd number of 16-byte chunks so ldmatrix's 8 rows avoid bank conflicts");

__device__ __forceinline__ uint32_t smem_addr(const void* p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

// 16-byte async copy global -> shared; copies zeros when !valid (src-size 0 reads nothing).
__device__ __forceinline__ void cp_async_16(void* smem, const void* gmem, bool valid) {
  const int src_bytes = valid ? 16 : 0;
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smem_addr(smem)), "l"(gmem), "r"(src_bytes));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int kPending>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(kPending));
}

// Loads kRows x kCols bf16 from global (row stride gstride elements) into smem (row stride kLd); rows at or
// beyond valid_rows are zero-filled so that ragged tiles contribute exact zeros (never NaN garbage).
template <int kRows, int kCols, int kLd>
__device__ __forceinline__ void load_tile_async(bf16* smem, const bf16* gmem, long gstride, int valid_rows) {
  static_assert(kCols % 8 == 0, "rows are copied in 16-byte chunks of 8 bf16");
  constexpr int kChunksPerRow = kCols / 8;
  for (int c = static_cast<int>(threadIdx.x); c < kRows * kChunksPerRow; c += kThreads) {
    const int r = c / kChunksPerRow;
    const int col = (c % kChunksPerRow) * 8;
    const bool ok = r < valid_rows;
    cp_async_16(smem + r * kLd + col, gmem + (ok ? r : 0) * gstride + col, ok);
  }
}

__device__ __forceinline__ void ldmatrix_x4(uint32_t (&r)[4], uint32_t addr) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr));
}
__device__ __forceinline__ void ldmatrix_x4_trans(uint32_t (&r)[4], uint32_t addr) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr));
}

// d += a * b for one m16n8k16 tile, FP32 accumulate.
__device__ __forceinline__ void mma_16816(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// A fragment: rows row0..row0+15, cols k0..k0+15 of a row-major smem tile [m][k] with pitch ld.
__device__ __forceinline__ void load_a(uint32_t (&a)[4], const bf16* tile, int ld, int row0, int k0, int lane) {
  ldmatrix_x4(a, smem_addr(tile + (row0 + (lane & 15)) * ld + k0 + (lane >> 4) * 8));
}

// B fragments of two n-tiles (n0..n0+7 -> b[0],b[1]; n0+8..n0+15 -> b[2],b[3]) at k0..k0+15, from a smem
// tile stored [n][k] (e.g. K rows for S = Q K^T).
__device__ __forceinline__ void load_b_nk(uint32_t (&b)[4], const bf16* tile, int ld, int n0, int k0, int lane) {
  ldmatrix_x4(b, smem_addr(tile + (n0 + (lane & 7) + ((lane >> 4) << 3)) * ld + k0 + ((lane >> 3) & 1) * 8));
}

// Same two n-tiles from a smem tile stored [k][n] (e.g. V rows for O = P V), transposed by ldmatrix.trans.
__device__ __forceinline__ void load_b_kn(uint32_t (&b)[4], const bf16* tile, int ld, int k0, int n0, int lane) {
  ldmatrix_x4_trans(b, smem_addr(tile + (k0 + (lane & 7) + ((lane >> 3) & 1) * 8) * ld + n0 + (lane >> 4) * 8));
}

__device__ __forceinline__ uint32_t pack_bf16x2(float lo, float hi) {
  const __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);  // .x (low 16 bits) = lo
  uint32_t u;
  memcpy(&u, &v, sizeof(u));
  return u;
}

// A fragment for k-step kk (columns 16kk..16kk+15) of a product whose left operand is the FP32 C tile acc
// (n-tiles 2kk and 2kk+1), rounded to bf16.
template <int kNTiles>
__device__ __forceinline__ void pack_a_from_acc(uint32_t (&a)[4], const float (&acc)[kNTiles][4], int kk) {
  a[0] = pack_bf16x2(acc[2 * kk][0], acc[2 * kk][1]);
  a[1] = pack_bf16x2(acc[2 * kk][2], acc[2 * kk][3]);
  a[2] = pack_bf16x2(acc[2 * kk + 1][0], acc[2 * kk + 1][1]);
  a[3] = pack_bf16x2(acc[2 * kk + 1][2], acc[2 * kk + 1][3]);
}

// acc[nt] += A(16 x 16*kKSteps, smem [m][k] at row0) * B where B is stored [n][k] (rows n0.. of tile_b).
template <int kNTiles, int kKSteps>
__device__ __forceinline__ void gemm_a_smem_b_nk(float (&acc)[kNTiles][4], const bf16* tile_a, int lda, int row0,
                                                 const bf16* tile_b, int ldb, int n0, int lane) {
  static_assert(kNTiles % 2 == 0, "B fragments are loaded two n-tiles at a time");
#pragma unroll
  for (int kk = 0; kk < kKSteps; ++kk) {
    uint32_t a[4];
    load_a(a, tile_a, lda, row0, kk * 16, lane);
#pragma unroll
    for (int np = 0; np < kNTiles / 2; ++np) {
      uint32_t b[4];
      load_b_nk(b, tile_b, ldb, n0 + np * 16, kk * 16, lane);
      mma_16816(acc[2 * np], a, b[0], b[1]);
      mma_16816(acc[2 * np + 1], a, b[2], b[3]);
    }
  }
}

// acc[nt] += A (one k-step, from registers) * B where B is stored [k][n] (rows k0..k0+15 of tile_b).
template <int kNTiles>
__device__ __forceinline__ void gemm_a_reg_b_kn(float (&acc)[kNTiles][4], const uint32_t (&a)[4], const bf16* tile_b,
                                                int ldb, int k0, int lane) {
  static_assert(kNTiles % 2 == 0, "B fragments are loaded two n-tiles at a time");
#pragma unroll
  for (int np = 0; np < kNTiles / 2; ++np) {
    uint32_t b[4];
    load_b_kn(b, tile_b, ldb, k0, np * 16, lane);
    mma_16816(acc[2 * np], a, b[0], b[1]);
    mma_16816(acc[2 * np + 1], a, b[2], b[3]);
  }
}

__device__ __forceinline__ float quad_max(float x) {
  x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 1));
  return fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 2));
}
__device__ __forceinline__ float quad_sum(float x) {
  x += __shfl_xor_sync(0xffffffffu, x, 1);
  return x + __shfl_xor_sync(0xffffffffu, x, 2);
}

// Stores row `row` (FP32 C tile half r = 0 for rows g, 1 for rows g+8) times `scale` as bf16 pairs.
template <int kNTiles>
__device__ __forceinline__ void store_acc_row(bf16* dst_row, const float (&acc)[kNTiles][4], int r, float scale,
                                              int lane) {
#pragma unroll
  for (int nt = 0; nt < kNTiles; ++nt) {
    const __nv_bfloat162 v = __floats2bfloat162_rn(acc[nt][2 * r] * scale, acc[nt][2 * r + 1] * scale);
    *reinterpret_cast<__nv_bfloat162*>(dst_row + nt * 8 + 2 * (lane & 3)) = v;
  }
}

__host__ __device__ constexpr int ceil_div(int a, int b) { return (a + b - 1) / b; }

}  // namespace deepsim::kernels::mla_detail

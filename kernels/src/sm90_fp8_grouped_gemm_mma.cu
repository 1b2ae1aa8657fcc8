// MoE grouped GEMM, FP8 E4M3 block-scaled in, BF16 out (grouped_gemm_fp8.h), on mma.sync tensor cores.
//
// One CTA computes a 64 x 128 tile of one expert's output. Grid: x = 128-column tiles of N, y = the row tiles
// of all experts in order (expert g has ceil(rows_g / 64) tiles; the grid is sized for the worst case
// ceil(total_rows / 64) + groups and surplus CTAs exit). Each CTA finds its expert by scanning the offsets.
//
// Per 128-wide K block (one scale block of A and of B):
//   cp.async 3-stage pipeline: A tile 64x128 B, B tile 128x128 B, A's 64 scales -> shared memory
//   8 warps (2 x 4), each a 32 x 32 sub-tile = 2 x 4 mma.sync.m16n8k32 E4M3 tiles, 4 k-steps of 32
//   promotion (R17): acc += partial * (scale_a[row] * scale_b), partial restarted from zero per K block
// so the tensor cores never accumulate more than 128 products, as DeepSeek's recipe prescribes.
// Not done (see docs/kernels.md): wgmma + TMA, warp specialisation, persistent scheduling, TMA store.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <stdexcept>

#include "kernels/check.h"
#include "kernels/fp8_quant.h"
#include "kernels/grouped_gemm_fp8.h"

namespace deepsim::kernels {
namespace {

constexpr int kBM = 64;                 // rows (tokens) per CTA tile
constexpr int kBN = 128;                // output columns per CTA tile
constexpr int kBK = kFp8Block;          // K per pipeline stage = one scale block
constexpr int kStages = 3;
constexpr int kWarpsM = 2;
constexpr int kWarpsN = 4;
constexpr int kThreads = 32 * kWarpsM * kWarpsN;
constexpr int kMmaM = 16, kMmaN = 8, kMmaK = 32;
constexpr int kWarpM = kBM / kWarpsM;   // 32 rows per warp
constexpr int kWarpN = kBN / kWarpsN;   // 32 columns per warp
constexpr int kTilesM = kWarpM / kMmaM; // 2
constexpr int kTilesN = kWarpN / kMmaN; // 4
constexpr int kChunk = 16;              // bytes per cp.async
constexpr int kSmemLd = kBK + kChunk;   // 144 B rows: 8 rows x 4 lanes of 32-bit loads hit 32 distinct banks

static_assert(kBN == kFp8Block, "one B scale per (CTA tile, K block) needs the N tile to be one 128 block");
static_assert(kBK % kMmaK == 0, "a K block is a whole number of mma k-steps");
static_assert(kWarpM % kMmaM == 0 && kWarpN % kMmaN == 0, "warp tiles are whole mma tiles");
static_assert((kSmemLd / 4) % 32 == 4, "row pitch of 36 words keeps fragment loads conflict-free");
static_assert(kSmemLd % kChunk == 0, "cp.async destinations stay 16-byte aligned");

struct alignas(16) Stage {
  std::uint8_t a[kBM][kSmemLd];  // A rows of the tile, one K block
  std::uint8_t b[kBN][kSmemLd];  // B rows (output features) of the tile, one K block
  float a_scale[kBM];            // A's 1x128 scales for this K block
};
struct GroupedSmem {
  Stage stage[kStages];
};

__device__ __forceinline__ std::uint32_t smem_u32(const void* p) {
  return static_cast<std::uint32_t>(__cvta_generic_to_shared(p));
}
// Copies `bytes` (4 or 16); src_bytes = 0 zero-fills the destination without reading.
template <int kBytes>
__device__ __forceinline__ void cp_async(void* dst, const void* src, bool valid) {
  const int src_bytes = valid ? kBytes : 0;
  if constexpr (kBytes == 16)
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smem_u32(dst)), "l"(src), "r"(src_bytes));
  else
    asm volatile("cp.async.ca.shared.global [%0], [%1], %2, %3;\n" ::"r"(smem_u32(dst)), "l"(src), "n"(kBytes), "r"(src_bytes));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int kPending>
__device__ __forceinline__ void cp_async_wait() { asm volatile("cp.async.wait_group %0;\n" ::"n"(kPending)); }

__device__ __forceinline__ std::uint32_t lds32(const std::uint8_t* p) { return *reinterpret_cast<const std::uint32_t*>(p); }

// D = A(16x32, row) * B(32x8, col) + D, E4M3 inputs, FP32 accumulators (sm_89+).
__device__ __forceinline__ void mma_e4m3(float (&d)[4], const std::uint32_t (&a)[4], const std::uint32_t (&b)[2]) {
  asm volatile(
      "mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

// Where this CTA's rows are: expert `group`, rows [row0, row_end) of A (row_end - row0 may be < kBM).
struct TileRows {
  int group = -1;
  long row0 = 0;
  long row_end = 0;
};

__device__ TileRows find_tile(const Fp8GroupedGemmParams& p, long tile) {
  TileRows t;
  for (int g = 0; g < p.groups; ++g) {
    const long begin = p.offsets[g], end = p.offsets[g + 1];
    const long tiles = (end - begin + kBM - 1) / kBM;
    if (tile < tiles) {
      t.group = g;
      t.row0 = begin + tile * kBM;
      t.row_end = end;
      return t;
    }
    tile -= tiles;
  }
  return t;
}

__device__ __forceinline__ void load_stage(Stage& s, const Fp8GroupedGemmParams& p, const TileRows& rows,
                                           const std::uint8_t* b_group, long n0, int kb) {
  constexpr int kChunksPerRow = kBK / kChunk;  // 8
  const long k0 = static_cast<long>(kb) * kBK;
  for (int c = static_cast<int>(threadIdx.x); c < kBM * kChunksPerRow; c += kThreads) {
    const int r = c / kChunksPerRow, col = (c % kChunksPerRow) * kChunk;
    const bool ok = rows.row0 + r < rows.row_end;
    cp_async<16>(&s.a[r][col], p.a + (ok ? rows.row0 + r : rows.row0) * p.k + k0 + col, ok);
  }
  for (int c = static_cast<int>(threadIdx.x); c < kBN * kChunksPerRow; c += kThreads) {
    const int r = c / kChunksPerRow, col = (c % kChunksPerRow) * kChunk;
    const bool ok = n0 + r < p.n;
    cp_async<16>(&s.b[r][col], b_group + (ok ? n0 + r : n0) * p.k + k0 + col, ok);
  }
  if (threadIdx.x < kBM) {
    const bool ok = rows.row0 + threadIdx.x < rows.row_end;
    cp_async<4>(&s.a_scale[threadIdx.x], p.a_scale + kb * static_cast<long>(p.total_rows) + (ok ? rows.row0 + threadIdx.x : rows.row0), ok);
  }
}

__global__ void __launch_bounds__(kThreads) grouped_gemm_kernel(const Fp8GroupedGemmParams p) {
  extern __shared__ __align__(16) unsigned char smem_raw[];
  GroupedSmem& smem = *reinterpret_cast<GroupedSmem*>(smem_raw);
  const TileRows rows = find_tile(p, blockIdx.y);
  if (rows.group < 0) return;  // surplus CTA of the worst-case grid
  const long n0 = static_cast<long>(blockIdx.x) * kBN;
  const std::uint8_t* b_group = p.b + static_cast<long>(rows.group) * p.n * p.k;
  const long scale_ld = scale_ld_128x128(p.k);
  const float* b_scale = p.b_scale + (static_cast<long>(rows.group) * ceil_div(p.n, kFp8Block) + n0 / kFp8Block) * scale_ld;

  const int warp = static_cast<int>(threadIdx.x / 32), lane = static_cast<int>(threadIdx.x % 32);
  const int wm = (warp / kWarpsN) * kWarpM, wn = (warp % kWarpsN) * kWarpN;
  const int gid = lane / 4, tig = lane % 4;  // mma fragment coordinates: group id, thread in group

  float acc[kTilesM][kTilesN][4] = {};
  const int kblocks = p.k / kBK;
  for (int s = 0; s < kStages - 1; ++s) {
    if (s < kblocks) load_stage(smem.stage[s], p, rows, b_group, n0, s);
    cp_async_commit();
  }
  for (int kb = 0; kb < kblocks; ++kb) {
    cp_async_wait<kStages - 2>();
    __syncthreads();  // stage kb landed for every thread; stage kb-1 is free to refill
    const int pf = kb + kStages - 1;
    if (pf < kblocks) load_stage(smem.stage[pf % kStages], p, rows, b_group, n0, pf);
    cp_async_commit();

    const Stage& st = smem.stage[kb % kStages];
    float part[kTilesM][kTilesN][4] = {};
#pragma unroll
    for (int ks = 0; ks < kBK; ks += kMmaK) {
      std::uint32_t af[kTilesM][4];
#pragma unroll
      for (int mi = 0; mi < kTilesM; ++mi) {
        const int r = wm + mi * kMmaM + gid;
        af[mi][0] = lds32(&st.a[r][ks + tig * 4]);
        af[mi][1] = lds32(&st.a[r + 8][ks + tig * 4]);
        af[mi][2] = lds32(&st.a[r][ks + 16 + tig * 4]);
        af[mi][3] = lds32(&st.a[r + 8][ks + 16 + tig * 4]);
      }
#pragma unroll
      for (int ni = 0; ni < kTilesN; ++ni) {
        const int c = wn + ni * kMmaN + gid;
        const std::uint32_t bf[2] = {lds32(&st.b[c][ks + tig * 4]), lds32(&st.b[c][ks + 16 + tig * 4])};
#pragma unroll
        for (int mi = 0; mi < kTilesM; ++mi) mma_e4m3(part[mi][ni], af[mi], bf);
      }
    }
    // Promotion to the FP32 accumulators with both scales (R17: every 128 K elements).
    const float sb = __ldg(b_scale + kb);
#pragma unroll
    for (int mi = 0; mi < kTilesM; ++mi) {
      const int r = wm + mi * kMmaM + gid;
      const float s_lo = st.a_scale[r] * sb, s_hi = st.a_scale[r + 8] * sb;
#pragma unroll
      for (int ni = 0; ni < kTilesN; ++ni) {
        acc[mi][ni][0] += part[mi][ni][0] * s_lo;
        acc[mi][ni][1] += part[mi][ni][1] * s_lo;
        acc[mi][ni][2] += part[mi][ni][2] * s_hi;
        acc[mi][ni][3] += part[mi][ni][3] * s_hi;
      }
    }
  }
  cp_async_wait<0>();

#pragma unroll
  for (int mi = 0; mi < kTilesM; ++mi) {
#pragma unroll
    for (int half = 0; half < 2; ++half) {
      const long r = rows.row0 + wm + mi * kMmaM + gid + half * 8;
      if (r >= rows.row_end) continue;
#pragma unroll
      for (int ni = 0; ni < kTilesN; ++ni) {
        const long c = n0 + wn + ni * kMmaN + tig * 2;
        if (c >= p.n) continue;  // n % 8 == 0: c < n implies c + 1 < n
        *reinterpret_cast<__nv_bfloat162*>(p.d + r * p.n + c) =
            __floats2bfloat162_rn(acc[mi][ni][2 * half], acc[mi][ni][2 * half + 1]);
      }
    }
  }
}

}  // namespace

void fp8_grouped_gemm(const Fp8GroupedGemmParams& p, cudaStream_t stream) {
  if (p.a == nullptr || p.a_scale == nullptr || p.b == nullptr || p.b_scale == nullptr || p.offsets == nullptr || p.d == nullptr)
    throw std::invalid_argument("fp8_grouped_gemm: null pointer");
  if (p.total_rows < 0 || p.groups <= 0 || p.n <= 0 || p.k <= 0)
    throw std::invalid_argument("fp8_grouped_gemm: need total_rows >= 0, groups, n, k > 0");
  if (p.k % kBK != 0) throw std::invalid_argument("fp8_grouped_gemm: k must be a multiple of 128");
  if (p.n % 8 != 0) throw std::invalid_argument("fp8_grouped_gemm: n must be a multiple of 8");
  if (p.total_rows == 0) return;
  const long m_tiles = ceil_div(p.total_rows, kBM) + p.groups;  // worst case: every expert has a partial tile
  if (m_tiles > 65535) throw std::invalid_argument("fp8_grouped_gemm: too many row tiles for gridDim.y");
  constexpr int kSmemBytes = static_cast<int>(sizeof(GroupedSmem));
  DEEPSIM_CUDA_CHECK(cudaFuncSetAttribute(grouped_gemm_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, kSmemBytes));
  const dim3 grid(static_cast<unsigned>(ceil_div(p.n, kBN)), static_cast<unsigned>(m_tiles));
  grouped_gemm_kernel<<<grid, kThreads, kSmemBytes, stream>>>(p);
  DEEPSIM_LAUNCH_CHECK();
}

}  // namespace deepsim::kernels

// The routed experts of one rank on expert-sorted rows (offsets from the routing plan): SwiGLU MLPs with
// per-expert weights. FP8 with exec.expert_gemm = grouped: the forward GEMMs run as one grouped launch
// (kernels-gemm's fp8_grouped_gemm: 1x128 activations quantised once, every expert's weights 128x128 in one
// quantiser launch); otherwise, and for every backward GEMM, one GEMM-engine call per non-empty expert
// (cuBLASLt, FP8 block-scaled or BF16).
#include "kernels/fp8_quant.h"
#include "kernels/grouped_gemm_fp8.h"
#include "kernels/swiglu.h"
#include "runtime/gpu_model.h"

namespace deepsim::runtime {
namespace k = deepsim::kernels;

namespace {

std::string key(int layer, const char* name) { return "L" + std::to_string(layer) + "." + name; }

// D [rows][n] = A [rows][kdim] . B[g] [n][kdim]^T over expert row ranges, FP8 grouped kernel.
void grouped_fp8(DeviceArena& sc, KernelTagger* tagger, const bf16* a, int rows, int kdim, const bf16* b, int groups,
                 int n, const std::vector<int>& offsets, bf16* d, cudaStream_t s) {
  auto* aq = sc.get<std::uint8_t>("grp.aq", static_cast<std::size_t>(rows) * kdim);
  auto* as = sc.get<float>("grp.as", static_cast<std::size_t>(k::scale_count_1x128(rows, kdim)));
  auto* bq = sc.get<std::uint8_t>("grp.bq", static_cast<std::size_t>(groups) * n * kdim);
  auto* bs = sc.get<float>("grp.bs", static_cast<std::size_t>(k::scale_count_128x128(static_cast<long>(groups) * n, kdim)));
  auto* off = sc.get<int>("grp.offsets", offsets.size());
  DEEPSIM_CUDA_CHECK(cudaMemcpyAsync(off, offsets.data(), offsets.size() * sizeof(int), cudaMemcpyHostToDevice, s));
  {
    // Only the grouped GEMM launch keeps the grouped_gemm_fp8 tag (one fitting sample per launch).
    const AuxKernelTag aux(tagger, "fp8_quant");
    k::fp8_quant_1x128({a, aq, as, kdim, kdim, rows, kdim, false}, s);
    // n % 128 == 0: the 128x128 blocks of [groups*n][kdim] are each expert's blocks, in the per-expert layout.
    k::fp8_quant_128x128({b, bq, bs, kdim, kdim, groups * n, kdim, false, false}, s);
  }
  k::fp8_grouped_gemm({aq, as, bq, bs, off, d, rows, groups, n, kdim}, s);
  // Not needed for `offsets` (a cudaMemcpyAsync from pageable memory has read it when it returns); kept from
  // the first version until a GPU run measures what dropping it saves.
  DEEPSIM_CUDA_CHECK(cudaStreamSynchronize(s));
}

}  // namespace

void GpuStage::expert_forward(MicroBatchState& st, int l, int mb, const bf16* x_local, bf16* y_local) {
  const ModelConfig& m = c_.cfg->model;
  const ExpertRouting& r = st.routing.at(l);
  const int hd = m.hidden;
  const int f = m.expert_intermediate;
  const int el = static_cast<int>(r.local_offsets.size()) - 1;
  const auto rows = static_cast<std::size_t>(r.rows_local);
  bf16* xs = st.acts.get<bf16>(key(l, "ex.x"), rows * hd);
  bf16* a = st.acts.get<bf16>(key(l, "ex.a"), rows * 2 * f);
  bf16* z = st.acts.get<bf16>(key(l, "ex.z"), rows * f);
  if (rows == 0) return;
  DEEPSIM_CUDA_CHECK(cudaMemcpyAsync(xs, x_local, rows * hd * sizeof(bf16), cudaMemcpyDeviceToDevice, c_.stream));
  const bf16* w13 = w(ParamKind::kExpertW13, l);
  const bf16* w2 = w(ParamKind::kExpertW2, l);
  const bool grouped = c_.cfg->training.precision == Precision::kFp8 && c_.cfg->exec.expert_gemm == "grouped" &&
                       hd % k::kFp8Block == 0 && f % k::kFp8Block == 0;
  {
    const ScopedTag s(*c_.tagger, tag(l, "expert.gate_up", mb, 'F', grouped ? "grouped_gemm_fp8" : "gemm",
                                      r.rows_local, 2L * f, hd));
    if (grouped) {
      grouped_fp8(*c_.scratch, c_.tagger, xs, r.rows_local, hd, w13, el, 2 * f, r.local_offsets, a, c_.stream);
    } else {
      for (int e = 0; e < el; ++e) {
        const int r0 = r.local_offsets[static_cast<std::size_t>(e)];
        const int n = r.local_offsets[static_cast<std::size_t>(e) + 1] - r0;
        c_.gemm->forward(xs + static_cast<std::size_t>(r0) * hd, w13 + static_cast<std::size_t>(e) * 2 * f * hd,
                         a + static_cast<std::size_t>(r0) * 2 * f, {n, hd, 2 * f}, true, c_.stream);
      }
    }
  }
  {
    const ScopedTag s(*c_.tagger, tag(l, "expert.swiglu", mb, 'F', "memory_bound"));
    k::swiglu_forward({a, a + f, z, 2L * f, f, r.rows_local, f}, c_.stream);
  }
  const ScopedTag s(*c_.tagger, tag(l, "expert.down", mb, 'F', grouped ? "grouped_gemm_fp8" : "gemm", r.rows_local, hd, f));
  if (grouped) {
    grouped_fp8(*c_.scratch, c_.tagger, z, r.rows_local, f, w2, el, hd, r.local_offsets, y_local, c_.stream);
    return;
  }
  for (int e = 0; e < el; ++e) {
    const int r0 = r.local_offsets[static_cast<std::size_t>(e)];
    const int n = r.local_offsets[static_cast<std::size_t>(e) + 1] - r0;
    c_.gemm->forward(z + static_cast<std::size_t>(r0) * f, w2 + static_cast<std::size_t>(e) * hd * f,
                     y_local + static_cast<std::size_t>(r0) * hd, {n, f, hd}, true, c_.stream);
  }
}

void GpuStage::expert_backward(MicroBatchState& st, int l, int mb, const bf16* dy_local, bf16* dx_local) {
  const ModelConfig& m = c_.cfg->model;
  const ExpertRouting& r = st.routing.at(l);
  const int hd = m.hidden;
  const int f = m.expert_intermediate;
  const int el = static_cast<int>(r.local_offsets.size()) - 1;
  const auto rows = static_cast<std::size_t>(r.rows_local);
  if (rows == 0) return;
  const bf16* xs = st.acts.get<bf16>(key(l, "ex.x"), rows * hd);
  const bf16* a = st.acts.get<bf16>(key(l, "ex.a"), rows * 2 * f);
  const bf16* z = st.acts.get<bf16>(key(l, "ex.z"), rows * f);
  bf16* dz = c_.scratch->get<bf16>("ex.dz", rows * f);
  bf16* da = c_.scratch->get<bf16>("ex.da", rows * 2 * f);
  const bf16* w13 = w(ParamKind::kExpertW13, l);
  const bf16* w2 = w(ParamKind::kExpertW2, l);
  float* g13 = g(ParamKind::kExpertW13, l);
  float* g2 = g(ParamKind::kExpertW2, l);
  for (int e = 0; e < el; ++e) {
    const int r0 = r.local_offsets[static_cast<std::size_t>(e)];
    const int n = r.local_offsets[static_cast<std::size_t>(e) + 1] - r0;
    const auto ro = static_cast<std::size_t>(r0);
    const ScopedTag s(*c_.tagger, tag(l, "expert.down", mb, 'B', "gemm", n, f, hd));
    c_.gemm->backward_data(dy_local + ro * hd, w2 + static_cast<std::size_t>(e) * hd * f, dz + ro * f, {n, f, hd}, true,
                           c_.stream);
    const ScopedTag sw(*c_.tagger, tag(l, "expert.down", mb, 'W', "gemm", hd, f, n));
    c_.gemm->backward_weight(dy_local + ro * hd, z + ro * f, g2 + static_cast<std::size_t>(e) * hd * f, {n, f, hd}, true,
                             c_.stream);
  }
  {
    const ScopedTag s(*c_.tagger, tag(l, "expert.swiglu", mb, 'B', "memory_bound"));
    k::swiglu_backward({a, a + f, dz, da, da + f, 2L * f, f, 2L * f, r.rows_local, f}, c_.stream);
  }
  for (int e = 0; e < el; ++e) {
    const int r0 = r.local_offsets[static_cast<std::size_t>(e)];
    const int n = r.local_offsets[static_cast<std::size_t>(e) + 1] - r0;
    const auto ro = static_cast<std::size_t>(r0);
    const ScopedTag s(*c_.tagger, tag(l, "expert.gate_up", mb, 'B', "gemm", n, hd, 2L * f));
    c_.gemm->backward_data(da + ro * 2 * f, w13 + static_cast<std::size_t>(e) * 2 * f * hd, dx_local + ro * hd,
                           {n, hd, 2 * f}, true, c_.stream);
    const ScopedTag sw(*c_.tagger, tag(l, "expert.gate_up", mb, 'W', "gemm", 2L * f, hd, n));
    c_.gemm->backward_weight(da + ro * 2 * f, xs + ro * hd, g13 + static_cast<std::size_t>(e) * 2 * f * hd, {n, hd, 2 * f},
                             true, c_.stream);
  }
}

}  // namespace deepsim::runtime

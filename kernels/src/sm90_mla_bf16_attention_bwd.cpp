// mla_attention_backward: validates the params once and runs the three backward kernels in order.
#include <cstdint>
#include <stdexcept>

#include "kernels/attention.h"
#include "sm90_mla_bf16_attention_bwd_launch.h"

namespace deepsim::kernels {
namespace {

bool misaligned(const void* ptr) { return (reinterpret_cast<std::uintptr_t>(ptr) % 16) != 0; }

void validate(const MlaAttentionBwdParams& p) {
  if (p.q == nullptr || p.k == nullptr || p.v == nullptr || p.o == nullptr || p.dout == nullptr ||
      p.lse == nullptr || p.delta == nullptr || p.dq == nullptr || p.dk == nullptr || p.dv == nullptr)
    throw std::invalid_argument("mla_attention_backward: null tensor pointer");
  if (p.batch <= 0 || p.seq_len <= 0 || p.heads <= 0)
    throw std::invalid_argument("mla_attention_backward: batch, seq_len and heads must be positive");
  if (p.batch > 65535 || p.heads > 65535) throw std::invalid_argument("mla_attention_backward: grid y/z limit 65535");
  if (misaligned(p.q) || misaligned(p.k) || misaligned(p.v) || misaligned(p.o) || misaligned(p.dout) ||
      misaligned(p.dq) || misaligned(p.dk) || misaligned(p.dv))
    throw std::invalid_argument("mla_attention_backward: bf16 tensors must be 16-byte aligned (cp.async)");
}

}  // namespace

void mla_attention_backward(const MlaAttentionBwdParams& p, cudaStream_t stream) {
  validate(p);
  mla_detail::launch_attention_bwd_delta(p, stream);
  mla_detail::launch_attention_bwd_dkdv(p, stream);
  mla_detail::launch_attention_bwd_dq(p, stream);
}

}  // namespace deepsim::kernels

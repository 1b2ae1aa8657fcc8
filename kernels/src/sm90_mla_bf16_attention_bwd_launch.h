// Internal: the three launches that make up mla_attention_backward (one kernel per file), called in order by
// sm90_mla_bf16_attention_bwd.cpp. Each expects validated params.
#pragma once

#include <cuda_runtime.h>

#include "kernels/attention.h"

namespace deepsim::kernels::mla_detail {

// delta[b,h,i] = sum_d dout[b,i,h,d] * o[b,i,h,d]  (FP32; sm90_mla_bf16_attention_bwd_delta.cu)
void launch_attention_bwd_delta(const MlaAttentionBwdParams& p, cudaStream_t stream);
// dk, dv for one 64-key tile per CTA (sm90_mla_bf16_attention_bwd_dkdv.cu)
void launch_attention_bwd_dkdv(const MlaAttentionBwdParams& p, cudaStream_t stream);
// dq for one 64-query tile per CTA (sm90_mla_bf16_attention_bwd_dq.cu)
void launch_attention_bwd_dq(const MlaAttentionBwdParams& p, cudaStream_t stream);

}  // namespace deepsim::kernels::mla_detail

// Internal: the weight-gradient half of rmsnorm_backward (rmsnorm_bf16_bwd_dweight.cu), launched by
// rmsnorm_backward in rmsnorm_bf16_bwd_dx.cu after the dx kernel.
#pragma once

#include <cuda_runtime.h>

#include "kernels/rmsnorm.h"

namespace deepsim::kernels::rmsnorm_detail {

void launch_rmsnorm_bwd_dweight(const RmsNormBwdParams& p, cudaStream_t stream);

}  // namespace deepsim::kernels::rmsnorm_detail

// Host <-> device copies ordered on the executor's compute stream. That stream is created non-blocking, so
// it does not order against the legacy default stream that plain cudaMemcpy / cudaMemset use: a token upload
// could overwrite a buffer the previous micro-batch's backward still reads, and a loss read could run before
// the loss kernel. Every copy of the training loop goes through these instead.
//
// Host memory is pageable (std::vector): a host-to-device cudaMemcpyAsync from pageable memory has copied the
// source out (to a staging buffer) when it returns, so the vector may die right after; the copy itself runs in
// stream order. Device-to-host copies synchronise the stream before the host reads the result.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <vector>

#include "kernels/check.h"

namespace deepsim::runtime {

template <typename T>
void copy_to_device(T* dev, const T* host, std::size_t count, cudaStream_t stream) {
  if (count == 0) return;
  DEEPSIM_CUDA_CHECK(cudaMemcpyAsync(dev, host, count * sizeof(T), cudaMemcpyHostToDevice, stream));
}

template <typename T>
void copy_to_device(T* dev, const std::vector<T>& host, cudaStream_t stream) {
  copy_to_device(dev, host.data(), host.size(), stream);
}

// Waits for everything queued on `stream` before, then returns the device values.
template <typename T>
void copy_to_host(T* host, const T* dev, std::size_t count, cudaStream_t stream) {
  if (count == 0) return;
  DEEPSIM_CUDA_CHECK(cudaMemcpyAsync(host, dev, count * sizeof(T), cudaMemcpyDeviceToHost, stream));
  DEEPSIM_CUDA_CHECK(cudaStreamSynchronize(stream));
}

}  // namespace deepsim::runtime

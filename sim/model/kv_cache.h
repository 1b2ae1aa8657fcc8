// KV cache bytes per token for inference, the figure that separates MLA from GQA (ISCA Table 1, R10).
// MLA caches the compressed latent and the shared RoPE key: (kv_lora_rank + qk_rope_head_dim) per layer.
// GQA caches K and V for every KV head: 2 x kv_heads x head_dim per layer.
#pragma once

#include "sim/core/units.h"
#include "sim/model/model_spec.h"

namespace deepsim {

inline constexpr double kKvCacheBf16Bytes = 2;

// Main-model layers only (an MTP module is not used for plain decoding).
[[nodiscard]] Bytes kv_cache_bytes_per_token(const ModelSpec& m, double bytes_per_element = kKvCacheBf16Bytes);

}  // namespace deepsim

#include "sim/model/kv_cache.h"

namespace deepsim {

Bytes kv_cache_bytes_per_token(const ModelSpec& m, double bytes_per_element) {
  const AttentionSpec& a = m.attention;
  const double per_layer = a.kind == AttentionKind::kMla
                               ? static_cast<double>(a.kv_lora_rank + a.qk_rope_head_dim)
                               : 2.0 * a.kv_heads * a.head_dim;
  return Bytes(per_layer * m.layers * bytes_per_element);
}

}  // namespace deepsim

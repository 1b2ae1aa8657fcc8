// Parameter initialisation (see param_init.h).
#include "runtime/param_init.h"

#include "runtime/rng.h"

namespace deepsim::runtime {

void init_params(const ParamLayout& layout, std::uint64_t seed, float init_std, std::vector<float>* groups) {
  for (int g = 0; g < kParamGroups; ++g) groups[g].assign(layout.group_size(static_cast<ParamGroup>(g)), 0.f);
  const ShardSpec& shard = layout.shard();
  for (const ParamEntry& e : layout.entries()) {
    float* dst = groups[static_cast<int>(e.group)].data() + e.offset;
    if (e.is_norm) {
      std::fill(dst, dst + e.size(), 1.f);
      continue;
    }
    const std::uint64_t tensor_key =
        mix_keys(mix_keys(seed, static_cast<std::uint64_t>(e.kind)), static_cast<std::uint64_t>(e.layer + 1));
    // Expert tensors: one stream per global expert so every ep split initialises identically.
    const long slices = e.group == ParamGroup::kExpert ? shard.local_experts : 1;
    const std::size_t slice = e.size() / static_cast<std::size_t>(slices);
    for (long s = 0; s < slices; ++s) {
      const long global = e.group == ParamGroup::kExpert ? shard.first_expert + s : 0;
      Rng rng(mix_keys(tensor_key, static_cast<std::uint64_t>(global)));
      for (std::size_t i = 0; i < slice; ++i)
        dst[static_cast<std::size_t>(s) * slice + i] = static_cast<float>(rng.normal() * init_std);
    }
  }
}

}  // namespace deepsim::runtime

// The perfectly balanced load source: a deterministic assignment, no randomness. Token t (numbered across
// the whole EP group) uses the limited_groups groups (t*M + j) mod G, j < M, and takes from group j
// floor(k/M) experts, one more for the k mod M positions with (c + j) mod M < k mod M, where c counts
// periods of the group pattern (P = G / gcd(G, M) tokens), so the extras rotate over all groups. Inside a group the
// experts are dealt round-robin from a per-group cursor. Over any run of tokens every group is visited
// equally (the group offsets t*M mod G cycle through all residues), so with T*k a multiple of E every
// expert gets exactly T*k/E tokens (otherwise counts differ by a few), and every token reaches exactly M
// groups: with contiguous placement and groups_per_node dividing M, exactly M / groups_per_node nodes
// (V3 on EP64: 4 nodes per token, 2 experts on each, 128 tokens per expert for 4096 tokens).
#pragma once

#include <vector>

#include "sim/moe/ep_layout.h"

namespace deepsim {

// top_k experts per token for tokens [first_token, first_token + tokens), token-major.
[[nodiscard]] std::vector<int> balanced_token_experts(const RouterShape& shape, long long first_token, int tokens);

}  // namespace deepsim

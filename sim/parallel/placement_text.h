// The groups of a Placement in words, for `deepsim topo --plan`: every pipeline, DP, TP, CP and EP group with
// its GPU ids and nodes, compactly (a run of ids as "a-b", an arithmetic one as "a, b, ..., z";
// the first few groups of a kind, then "... N more").
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/ids.h"
#include "sim/parallel/placement.h"

namespace deepsim {

// "0-7", "0, 128, ..., 1920" (over 4 ids), "3" or "0, 5, 9" (up to 4 ids, else the first 3 and
// "... (n in all)").
[[nodiscard]] std::string compact_ids(const std::vector<int>& ids);

// One line per group kind header and one per shown group; at most `shown` groups of each kind.
[[nodiscard]] std::string describe_placement(const Placement& p, int shown = 3);

// `topo --plan --json`'s "plan": {"order", "pp", "dp", "cp", "tp", "ep", "stage0_groups": {"tp", "cp",
// "ep", "dp", "pipeline": [[gpu, ...], ...]}}: every group of stage 0 (stage s: shifted by s x
// gpus_per_stage GPUs) and every pipeline; with expert_tp > 1 also "expert_tp" and the "etp" groups.
[[nodiscard]] nlohmann::ordered_json placement_json(const Placement& p);

}  // namespace deepsim

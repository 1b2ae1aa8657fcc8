#include "sim/parallel/placement_text.h"

#include <algorithm>
#include <functional>
#include <sstream>

namespace deepsim {
namespace {

std::string str(int v) { return std::to_string(v); }

std::vector<int> ints(const std::vector<GpuId>& gpus) {
  std::vector<int> out;
  for (GpuId g : gpus) out.push_back(static_cast<int>(g.value()));
  return out;
}

std::vector<int> nodes_of(const Placement& p, const std::vector<GpuId>& gpus) {
  std::vector<int> out;
  for (GpuId g : gpus) {
    const int n = p.location(g).node;
    if (std::ranges::find(out, n) == out.end()) out.push_back(n);
  }
  return out;
}

std::string group_line(const Placement& p, const std::string& name, const std::vector<GpuId>& gpus) {
  const std::vector<int> nodes = nodes_of(p, gpus);
  return "    " + name + ": GPUs " + compact_ids(ints(gpus)) + (nodes.size() == 1 ? " on node " : " on nodes ") +
         compact_ids(nodes) + "\n";
}

// A kind of group: its header, then the first `shown` groups and how many more.
void kind(std::ostream& out, const Placement& p, const std::string& header, int count, int shown,
          const std::function<std::pair<std::string, std::vector<GpuId>>(int)>& group) {
  out << "  " << header << "\n";
  for (int k = 0; k < std::min(count, shown); ++k) {
    const auto [name, gpus] = group(k);
    out << group_line(p, name, gpus);
  }
  if (count > shown) out << "    ... " << count - shown << " more\n";
}

}  // namespace

std::string compact_ids(const std::vector<int>& ids) {
  if (ids.empty()) return "none";
  if (ids.size() == 1) return str(ids[0]);
  const int step = ids[1] - ids[0];
  bool arithmetic = step > 0;
  for (std::size_t k = 1; k < ids.size() && arithmetic; ++k) arithmetic = ids[k] - ids[k - 1] == step;
  if (arithmetic && step == 1) return str(ids.front()) + "-" + str(ids.back());
  if (arithmetic && ids.size() <= 4) {
    std::string out;
    for (int v : ids) out += (out.empty() ? "" : ", ") + str(v);
    return out;
  }
  if (arithmetic) return str(ids[0]) + ", " + str(ids[1]) + ", ..., " + str(ids.back());
  std::string out;
  const std::size_t n = ids.size() <= 4 ? ids.size() : 3;
  for (std::size_t k = 0; k < n; ++k) out += (out.empty() ? "" : ", ") + str(ids[k]);
  if (n < ids.size()) out += ", ... (" + str(static_cast<int>(ids.size())) + " in all)";
  return out;
}

std::string describe_placement(const Placement& p, int shown) {
  std::ostringstream out;
  const int g = p.gpus_per_node();
  out << "plan: pp " << p.pp() << " x dp " << p.dp() << " x tp " << p.tp() << ", ep " << p.ep() << " on "
      << p.gpus() / g << " nodes x " << g << " GPUs; GPU = (stage x dp + dp rank) x tp + tp rank, node = GPU / " << g
      << "\n";
  const int stage_gpus = p.dp() * p.tp();
  out << "  each stage: " << stage_gpus << " GPUs, "
      << (stage_gpus % g == 0 ? str(stage_gpus / g) + (stage_gpus == g ? " whole node" : " whole nodes")
                              : str(g / stage_gpus) + " consecutive stages per node (pipeline sends between them on NVLink)")
      << "\n";
  kind(out, p, "pipelines (" + str(p.dp() * p.tp()) + ", one per dp x tp rank, by stage):", p.dp() * p.tp(), shown,
       [&](int k) {
         return std::make_pair("dp " + str(k / p.tp()) + " tp " + str(k % p.tp()), p.pipeline(k / p.tp(), k % p.tp()));
       });
  kind(out, p, "DP groups (" + str(p.pp() * p.tp()) + ", one per stage x tp rank, by dp rank):", p.pp() * p.tp(), shown,
       [&](int k) {
         return std::make_pair("stage " + str(k / p.tp()) + " tp " + str(k % p.tp()), p.dp_group(k / p.tp(), k % p.tp()));
       });
  if (p.tp() > 1)
    kind(out, p, "TP groups (" + str(p.pp() * p.dp()) + ", one per stage x dp rank, by tp rank):", p.pp() * p.dp(), shown,
         [&](int k) {
           return std::make_pair("stage " + str(k / p.dp()) + " dp " + str(k % p.dp()), p.tp_group(k / p.dp(), k % p.dp()));
         });
  else
    out << "  TP groups: none (tp 1)\n";
  const int per = p.ep_groups_per_stage();
  if (p.ep() > 1)
    kind(out, p, "EP groups (" + str(p.pp() * per) + ", " + str(per) + " per stage, by ep rank):", p.pp() * per, shown,
         [&](int k) {
           return std::make_pair("stage " + str(k / per) + " group " + str(k % per), p.ep_group_members(k / per, k % per));
         });
  else
    out << "  EP groups: none (ep 1)\n";
  return out.str();
}

}  // namespace deepsim

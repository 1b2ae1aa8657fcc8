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
  const int cp = p.cp(), tp = p.tp(), dp = p.dp();
  const bool ring = cp > 1;
  // Rank names: "dp d tp t", with " cp c" between them when there is context parallelism.
  auto rank = [&](int d, int c, int t) { return "dp " + str(d) + (ring ? " cp " + str(c) : "") + " tp " + str(t); };
  out << "plan: pp " << p.pp() << " x dp " << dp << (ring ? " x cp " + str(cp) : "") << " x tp " << tp << ", ep " << p.ep()
      << " on " << p.gpus() / g << " nodes x " << g << " GPUs; GPU = "
      << (ring ? "((stage x dp + dp rank) x cp + cp rank) x tp + tp rank" : "(stage x dp + dp rank) x tp + tp rank")
      << ", node = GPU / " << g << "\n";
  const int stage_gpus = p.gpus_per_stage();
  out << "  each stage: " << stage_gpus << " GPUs, "
      << (stage_gpus % g == 0 ? str(stage_gpus / g) + (stage_gpus == g ? " whole node" : " whole nodes")
                              : str(g / stage_gpus) + " consecutive stages per node (pipeline sends between them on NVLink)")
      << "\n";
  const int lanes = dp * cp * tp;  // pipelines: one per (dp, cp, tp) rank
  kind(out, p, "pipelines (" + str(lanes) + ", one per " + (ring ? "dp x cp x tp" : "dp x tp") + " rank, by stage):", lanes,
       shown, [&](int k) {
         const int d = k / (cp * tp), c = (k / tp) % cp, t = k % tp;
         return std::make_pair(rank(d, c, t), p.pipeline(d, t, c));
       });
  // Gradients are reduced over every (dp, cp) rank of a stage and tp rank (dp_cp_group; = dp_group at cp 1).
  kind(out, p,
       "DP groups (" + str(p.pp() * tp) + ", one per stage x tp rank, by " + (ring ? "dp x cp rank; gradients" : "dp rank") +
           (ring ? " reduced over them):" : "):"),
       p.pp() * tp, shown, [&](int k) {
         return std::make_pair("stage " + str(k / tp) + " tp " + str(k % tp), p.dp_cp_group(k / tp, k % tp));
       });
  if (tp > 1)
    kind(out, p, "TP groups (" + str(p.pp() * dp * cp) + ", one per stage x " + (ring ? "dp x cp" : "dp") + " rank, by tp rank):",
         p.pp() * dp * cp, shown, [&](int k) {
           const int s = k / (dp * cp), d = (k / cp) % dp, c = k % cp;
           return std::make_pair("stage " + str(s) + " dp " + str(d) + (ring ? " cp " + str(c) : ""), p.tp_group(s, d, c));
         });
  else
    out << "  TP groups: none (tp 1)\n";
  if (ring)
    kind(out, p, "CP rings (" + str(p.pp() * dp * tp) + ", one per stage x dp x tp rank, in ring order):", p.pp() * dp * tp,
         shown, [&](int k) {
           const int s = k / (dp * tp), d = (k / tp) % dp, t = k % tp;
           return std::make_pair("stage " + str(s) + " dp " + str(d) + " tp " + str(t), p.cp_group(s, d, t));
         });
  const int per = p.ep_groups_per_stage();
  const int etp = p.expert_tp();
  if (etp > 1) {
    const int etp_groups = p.gpus() / etp;
    kind(out, p,
         "expert-TP groups (" + str(etp_groups) + ", expert_tp " + str(etp) +
             " consecutive GPUs each, by ETP rank; EP groups below at stride " + str(etp) + "):",
         etp_groups, shown, [&](int k) {
           const int s = k / (p.gpus_per_stage() / etp), first = k % (p.gpus_per_stage() / etp) * etp;
           return std::make_pair("stage " + str(s) + " group " + str(k % (p.gpus_per_stage() / etp)),
                                 p.etp_group(GpuId(static_cast<GpuId::rep>(s * p.gpus_per_stage() + first))));
         });
  }
  if (p.ep() > 1)
    kind(out, p, "EP groups (" + str(p.pp() * per) + ", " + str(per) + " per stage, by ep rank):", p.pp() * per, shown,
         [&](int k) {
           return std::make_pair("stage " + str(k / per) + " group " + str(k % per), p.ep_group_members(k / per, k % per));
         });
  else
    out << "  EP groups: none (ep 1)\n";
  return out.str();
}

nlohmann::ordered_json placement_json(const Placement& p) {
  nlohmann::ordered_json j;
  j["order"] = "((stage * dp + d) * cp + c) * tp + t";
  j["pp"] = p.pp();
  j["dp"] = p.dp();
  j["cp"] = p.cp();
  j["tp"] = p.tp();
  j["ep"] = p.ep();
  auto ids = [](const std::vector<GpuId>& g) {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (GpuId id : g) a.push_back(id.value());
    return a;
  };
  // Stage 0's groups (stage s: the same shifted by s x gpus_per_stage), and every pipeline.
  nlohmann::ordered_json groups;
  groups["tp"] = nlohmann::ordered_json::array();
  for (int d = 0; d < p.dp(); ++d)
    for (int c = 0; c < p.cp(); ++c) groups["tp"].push_back(ids(p.tp_group(0, d, c)));
  groups["cp"] = nlohmann::ordered_json::array();
  for (int d = 0; d < p.dp(); ++d)
    for (int t = 0; t < p.tp(); ++t) groups["cp"].push_back(ids(p.cp_group(0, d, t)));
  if (p.expert_tp() > 1) {
    j["expert_tp"] = p.expert_tp();
    groups["etp"] = nlohmann::ordered_json::array();
    for (int l = 0; l < p.gpus_per_stage(); l += p.expert_tp())
      groups["etp"].push_back(ids(p.etp_group(GpuId(static_cast<GpuId::rep>(l)))));
  }
  groups["ep"] = nlohmann::ordered_json::array();
  for (int k = 0; k < p.ep_groups_per_stage(); ++k) groups["ep"].push_back(ids(p.ep_group_members(0, k)));
  groups["dp"] = nlohmann::ordered_json::array();
  for (int t = 0; t < p.tp(); ++t) groups["dp"].push_back(ids(p.dp_cp_group(0, t)));
  groups["pipeline"] = nlohmann::ordered_json::array();
  for (int d = 0; d < p.dp(); ++d)
    for (int c = 0; c < p.cp(); ++c)
      for (int t = 0; t < p.tp(); ++t) groups["pipeline"].push_back(ids(p.pipeline(d, t, c)));
  j["stage0_groups"] = groups;
  return j;
}

}  // namespace deepsim

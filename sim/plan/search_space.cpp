#include "sim/plan/search_space.h"

#include <algorithm>
#include <cmath>

#include "sim/core/error.h"
#include "sim/core/suggest.h"
#include "sim/forecast/phase_setup.h"
#include "sim/scenario/source_map.h"
#include "sim/scenario/validate.h"

namespace deepsim {
namespace {

constexpr int kLastSchedule = static_cast<int>(ScheduleKind::kDualPipeV);

std::vector<int> powers_of_two_up_to(int limit) {
  std::vector<int> v;
  for (int x = 1; x <= limit; x *= 2) v.push_back(x);
  return v;
}

std::string show_int(int v) { return std::to_string(v); }

int parse_int(const std::string& key, const std::string& text) {
  try {
    std::size_t used = 0;
    const int v = std::stoi(text, &used);
    if (used == text.size() && v >= 0) return v;
  } catch (const std::exception&) {
  }
  throw InputError({}, "--vary", key + ": expected a non-negative integer, got '" + text + "'",
                   "e.g. --vary " + key + "=1,2,4");
}

PlanDimension int_dim(std::string name, std::string key, std::vector<int> values, std::function<void(Scenario&, int)> apply) {
  PlanDimension d;
  d.name = std::move(name);
  d.key = std::move(key);
  d.values = std::move(values);
  d.apply = std::move(apply);
  d.show = show_int;
  d.parse = [k = d.key](const std::string& t) { return parse_int(k, t); };
  return d;
}

// The recompute modes searched: DeepSeek's partial recompute is what an MLA/MoE model trains with; the
// Megatron modes are what a dense GQA/MHA model chooses between.
PlanDimension recompute_dim(const Scenario& base) {
  PlanDimension d;
  d.name = "recompute";
  d.key = "training.recompute";
  if (base.model.attention.kind == AttentionKind::kMla) {
    d.values = {static_cast<int>(RecomputeMode::kNone), static_cast<int>(RecomputeMode::kPartial)};
  } else {
    d.values = {static_cast<int>(RecomputeMode::kNone), static_cast<int>(RecomputeMode::kSelective),
                static_cast<int>(RecomputeMode::kFull)};
  }
  d.apply = [](Scenario& s, int v) { s.training.recompute = static_cast<RecomputeMode>(v); };
  d.show = [](int v) { return std::string(to_string(static_cast<RecomputeMode>(v))); };
  d.parse = [](const std::string& t) {
    if (const auto m = parse_recompute_mode(t)) return static_cast<int>(*m);
    std::vector<std::string> names;
    for (const std::string_view n : recompute_mode_names()) names.emplace_back(n);
    throw InputError({}, "--vary", "training.recompute: unknown mode '" + t + "'", suggestion_hint(t, names));
  };
  return d;
}

PlanDimension schedule_dim() {
  PlanDimension d;
  d.name = "schedule";
  d.key = "parallel.schedule";
  for (int k = 0; k <= kLastSchedule; ++k) d.values.push_back(k);
  d.apply = [](Scenario& s, int v) { s.parallel.schedule = static_cast<ScheduleKind>(v); };
  d.show = [](int v) { return std::string(to_string(static_cast<ScheduleKind>(v))); };
  d.parse = [](const std::string& t) {
    std::vector<std::string> names;
    for (int k = 0; k <= kLastSchedule; ++k) {
      names.emplace_back(to_string(static_cast<ScheduleKind>(k)));
      if (t == names.back()) return k;
    }
    throw InputError({}, "--vary", "parallel.schedule: unknown schedule '" + t + "'", suggestion_hint(t, names));
  };
  return d;
}

// Context parallelism for long sequences: cp in 1, 2, 4, 8 where the load-balanced split fits
// (seq_len a multiple of 2 x cp) and the core is flash; only when seq_len > 4096, where attention's
// quadratic work and activations make it pay (below that the search would only grow by x4 for plans
// that split 4K tokens 8 ways). The scenario's own cp is always offered.
std::vector<int> cp_values(const Scenario& base) {
  std::vector<int> v{1};
  const int seq = base.training.seq_len;
  if (seq > kCpMinSeqLen && base.model.attention.core == AttentionCore::kFlash)
    for (int cp : {2, 4, 8})
      if (seq % (2 * cp) == 0) v.push_back(cp);
  if (std::ranges::find(v, base.parallel.cp) == v.end()) v.push_back(base.parallel.cp);
  return v;
}

// Tensor parallelism: for dense models tp in 1, 2, 4, ... up to the GPUs of a node (TP's collectives
// run on NVLink there; across nodes they would cross InfiniBand every block), where the attention heads
// split evenly. MoE models keep the scenario's tp: each TP rank still dispatches the whole micro-batch in
// deepsim (Megatron-core's token split over TP before dispatch is not modelled, docs/network.md), which
// would charge TP plans for all-to-all traffic they do not send. The scenario's own tp is always offered.
std::vector<int> tp_values(const Scenario& base) {
  std::vector<int> v;
  if (!base.model.is_moe())
    for (const int tp : powers_of_two_up_to(base.cluster.gpus_per_node))
      if (base.model.attention.heads % tp == 0) v.push_back(tp);
  if (std::ranges::find(v, base.parallel.tp) == v.end()) v.push_back(base.parallel.tp);
  return v;
}

// Sequence parallelism, off or on, when some plan has tp > 1 (plans with tp = 1 take only "off": it
// changes nothing there); else the scenario's own setting.
PlanDimension sequence_parallel_dim(const Scenario& base, const std::vector<int>& tps) {
  PlanDimension d;
  d.name = "sequence_parallel";
  d.key = "parallel.sequence_parallel";
  if (std::ranges::any_of(tps, [](int tp) { return tp > 1; })) d.values = {0, 1};
  else d.values = {base.parallel.sequence_parallel ? 1 : 0};
  d.apply = [](Scenario& s, int v) { s.parallel.sequence_parallel = v != 0; };
  d.show = [](int v) { return std::string(v != 0 ? "on" : "off"); };
  d.parse = [](const std::string& t) {
    if (t == "on" || t == "true" || t == "1") return 1;
    if (t == "off" || t == "false" || t == "0") return 0;
    throw InputError({}, "--vary", "parallel.sequence_parallel: expected on or off, got '" + t + "'",
                     "e.g. --vary parallel.sequence_parallel=off,on");
  };
  return d;
}

}  // namespace

SearchSpace::SearchSpace(const Scenario& base) {
  const int nodes = base.cluster.nodes;
  std::vector<int> node_counts;
  // The whole cluster and, for the cost-versus-time trade-off, halves of it: fewer GPUs run longer but
  // may spend fewer GPU-hours (less communication per GPU).
  for (int n = nodes; n >= 1 && node_counts.size() < 3; n /= 2) {
    node_counts.push_back(n);
    if (n % 2 != 0) break;
  }
  std::ranges::sort(node_counts);
  const int gpus = base.cluster.total_gpus();
  const int experts = base.model.moe.routed_experts;
  std::vector<int> eps{1};
  if (experts > 0) {
    eps.clear();
    for (int e : powers_of_two_up_to(std::min(experts, gpus)))
      if (experts % e == 0) eps.push_back(e);
  }
  std::vector<int> pps;
  for (int p : powers_of_two_up_to(std::min(base.model.layers, 64))) pps.push_back(p);
  std::vector<int> sms{base.parallel.comm_sms};

  // The table: one row per searched dimension, in the order plans are enumerated (the last fastest).
  dims_.push_back(int_dim("nodes", "cluster.nodes", node_counts, [](Scenario& s, int v) { s.cluster.nodes = v; }));
  const std::vector<int> tps = tp_values(base);
  dims_.push_back(int_dim("tp", "parallel.tp", tps, [](Scenario& s, int v) { s.parallel.tp = v; }));
  dims_.push_back(sequence_parallel_dim(base, tps));
  // CP only appears as a column when it has a choice (long sequences) or the scenario sets it, so short-
  // sequence searches and their reports are as before.
  if (const std::vector<int> cps = cp_values(base); cps.size() > 1 || cps.front() != 1)
    dims_.push_back(int_dim("cp", "parallel.cp", cps, [](Scenario& s, int v) { s.parallel.cp = v; }));
  dims_.push_back(int_dim("pp", "parallel.pp", pps, [](Scenario& s, int v) { s.parallel.pp = v; }));
  dims_.push_back(int_dim("ep", "parallel.ep", eps, [](Scenario& s, int v) { s.parallel.ep = v; }));
  dims_.push_back(schedule_dim());
  dims_.push_back(int_dim("virtual_stages", "parallel.virtual_stages", {1, 2},
                          [](Scenario& s, int v) { s.parallel.virtual_stages = v; }));
  dims_.push_back(int_dim("micro_batch_size", "parallel.micro_batch_size", {1, 2},
                          [](Scenario& s, int v) { s.parallel.micro_batch_size = v; }));
  dims_.push_back(recompute_dim(base));
  dims_.push_back(int_dim("zero_stage", "parallel.zero_stage", {0, 1, 2}, [](Scenario& s, int v) { s.parallel.zero_stage = v; }));
  dims_.push_back(int_dim("comm_sms", "parallel.comm_sms", sms, [](Scenario& s, int v) { s.parallel.comm_sms = v; }));
}

void SearchSpace::vary(const std::string& spec) {
  const std::size_t eq = spec.find('=');
  std::vector<std::string> keys;
  for (const auto& d : dims_) keys.push_back(d.key);
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
    throw InputError({}, "--vary", "expected KEY=V1,V2,..., got '" + spec + "'", "e.g. --vary parallel.pp=4,8,16");
  const std::string key = spec.substr(0, eq);
  const auto it = std::ranges::find_if(dims_, [&](const PlanDimension& d) { return d.key == key || d.name == key; });
  if (it == dims_.end())
    throw InputError({}, "--vary", "'" + key + "' is not a searched dimension", suggestion_hint(key, keys));
  std::vector<int> values;
  for (std::size_t start = eq + 1; start <= spec.size();) {
    const std::size_t end = std::min(spec.find(',', start), spec.size());
    const int v = it->parse(spec.substr(start, end - start));
    if (std::ranges::find(values, v) == values.end()) values.push_back(v);
    start = end + 1;
  }
  it->values = std::move(values);
}

std::uint64_t SearchSpace::size() const {
  std::uint64_t n = 1;
  for (const auto& d : dims_) n *= d.values.size();
  return n;
}

std::vector<int> SearchSpace::plan_at(std::uint64_t i) const {
  std::vector<int> plan(dims_.size());
  for (std::size_t k = dims_.size(); k-- > 0;) {
    const auto n = dims_[k].values.size();
    plan[k] = dims_[k].values[i % n];
    i /= n;
  }
  return plan;
}

std::string SearchSpace::describe(const std::vector<int>& plan) const {
  std::string out;
  for (std::size_t k = 0; k < dims_.size(); ++k) {
    if (dims_[k].values.size() <= 1) continue;  // fixed: the same for every plan
    if (!out.empty()) out += ' ';
    out += dims_[k].name + "=" + dims_[k].show(plan[k]);
  }
  return out.empty() ? "the scenario's plan" : out;
}

Scenario SearchSpace::apply(const Scenario& base, const std::vector<int>& plan) const {
  Scenario s = base;
  for (std::size_t k = 0; k < dims_.size(); ++k) dims_[k].apply(s, plan[k]);
  ParallelSpec& p = s.parallel;
  const int gpus = s.cluster.total_gpus();
  const SourceMap sources(base.source_file);
  const int model_ranks = p.pp * p.tp * p.cp;
  if (gpus % model_ranks != 0)
    throw InputError({base.source_file, 0, 0}, "parallel.pp",
                     (p.cp > 1 ? "pp x tp x cp = " : "pp x tp = ") + std::to_string(model_ranks) + " does not divide " +
                         std::to_string(gpus) + " GPUs");
  p.dp = gpus / model_ranks;
  // Every model chunk needs a layer; the scenario validator leaves this to the stage assignment.
  int chunks = p.pp;
  if (p.schedule == ScheduleKind::kDualPipeV) chunks = 2 * p.pp;
  if (p.schedule == ScheduleKind::kInterleaved1F1B) chunks = p.pp * p.virtual_stages;
  if (chunks > s.model.layers)
    throw InputError({base.source_file, 0, 0}, "parallel.pp",
                     std::to_string(chunks) + " model chunks (pp x chunks per rank) but " + std::to_string(s.model.layers) +
                         " layers");
  PlanShape shape{p.dp, p.micro_batch_size, p.pp, p.virtual_stages, p.schedule};
  const int unit = p.dp * p.micro_batch_size;
  const int wanted = std::max(1, static_cast<int>(std::ceil(static_cast<double>(base.training.global_batch) / unit - 1e-9)));
  p.micro_batches = schedulable_micro_batches(shape, wanted, nullptr);
  s.training.global_batch = p.micro_batches * unit;
  validate_scenario(s, sources);
  return s;
}

}  // namespace deepsim

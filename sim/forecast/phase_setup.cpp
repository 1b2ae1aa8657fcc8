#include "sim/forecast/phase_setup.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <mutex>
#include <tuple>

#include "sim/core/error.h"
#include "sim/parallel/schedules.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/overrides.h"
#include "sim/scenario/scalar_codec.h"
#include "sim/scenario/source_map.h"
#include "sim/scenario/validate.h"

namespace deepsim {
namespace {

PhaseDef later_phase(const Scenario& s, const PhaseSpec& p, std::string key, std::string title) {
  if (p.steps > 0 && p.tokens > 0)
    throw InputError(s.pos_of(key + ".steps"), key + ".steps", "give steps or tokens for a phase, not both",
                     "context extension is published in steps, post-training budgets in tokens");
  PhaseDef d;
  d.key = std::move(key);
  d.title = std::move(title);
  d.plan = split_plan(p.plan);
  d.seq_len = p.seq_len > 0 ? p.seq_len : s.training.seq_len;
  d.batch_sequences = p.global_batch > 0 ? p.global_batch : s.training.global_batch;
  const double per_step = d.batch_sequences * d.seq_len;
  d.steps = p.steps > 0 ? p.steps : static_cast<std::int64_t>(std::ceil(p.tokens / per_step - 1e-9));
  d.tokens = static_cast<double>(d.steps) * per_step;
  return d;
}

std::string lower(std::string v) {
  std::ranges::transform(v, v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return v;
}

}  // namespace

std::vector<std::string> split_plan(std::string_view plan) {
  std::vector<std::string> out;
  for (std::size_t start = 0; start <= plan.size();) {
    const std::size_t end = std::min(plan.find(';', start), plan.size());
    std::string_view item = plan.substr(start, end - start);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.remove_prefix(1);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    start = end + 1;
  }
  return out;
}

std::vector<PhaseDef> run_phases(const Scenario& s) {
  std::vector<PhaseDef> out;
  PhaseDef pre;
  pre.key = "pre_training";
  pre.title = "pre-training";
  pre.seq_len = s.training.seq_len;
  pre.batch_sequences = s.training.global_batch;
  pre.tokens = s.training.tokens;
  out.push_back(pre);
  const auto add = [&](const PhaseSpec& p, const char* key, const char* title) {
    if (p.enabled()) out.push_back(later_phase(s, p, key, title));
  };
  add(s.context_extension.stage1, "context_extension.stage1", "context extension 1");
  add(s.context_extension.stage2, "context_extension.stage2", "context extension 2");
  add(s.post_training.sft, "post_training.sft", "SFT");
  add(s.post_training.rl, "post_training.rl", "RL");
  return out;
}

PlanShape plan_shape(const Scenario& base, std::span<const std::string> plan) {
  const ParallelSpec& p = base.parallel;
  PlanShape shape{p.dp, p.micro_batch_size, p.pp, p.virtual_stages, p.schedule};
  if (plan.empty()) return shape;
  // The plan is applied to the resolved tree to read the few numbers micro-batching needs before the
  // scenario can be loaded consistently; what cannot be read here is reported by that load.
  YAML::Node root = YAML::Load(to_yaml(base));
  SourceMap sources(base.source_file);
  apply_overrides(root, plan, sources);
  const YAML::Node& tree = root;
  const auto read_int = [&](const char* key, int& v) {
    try {
      v = tree["parallel"][key].as<int>();
    } catch (const YAML::Exception&) {
    }
  };
  read_int("dp", shape.dp);
  read_int("micro_batch_size", shape.micro_batch_size);
  read_int("pp", shape.pp);
  read_int("virtual_stages", shape.virtual_stages);
  try {
    const std::string name = lower(tree["parallel"]["schedule"].as<std::string>());
    for (int k = 0; k <= static_cast<int>(ScheduleKind::kDualPipeV); ++k)
      if (name == to_string(static_cast<ScheduleKind>(k))) shape.schedule = static_cast<ScheduleKind>(k);
  } catch (const YAML::Exception&) {
  }
  shape.dp = std::max(1, shape.dp);
  shape.micro_batch_size = std::max(1, shape.micro_batch_size);
  return shape;
}

namespace {

struct Schedulable {
  int micro_batches = 0;
  std::string reason;  // why `wanted` itself cannot be scheduled ("" when it can)
};

Schedulable find_schedulable(const PlanShape& shape, int wanted) {
  ParallelSpec spec;
  spec.pp = shape.pp;
  spec.dp = shape.dp;
  spec.micro_batch_size = shape.micro_batch_size;
  spec.schedule = shape.schedule;
  spec.virtual_stages = shape.virtual_stages;
  Schedulable out;
  // Every schedule we have runs some count within 4 x pp x virtual_stages above any wanted count.
  const int limit = wanted + 4 * std::max(1, shape.pp) * std::max(1, shape.virtual_stages) + 4;
  for (int m = std::max(1, wanted); m <= limit; ++m) {
    spec.micro_batches = m;
    const auto schedule = make_schedule(spec);
    if (schedule.ok()) {
      out.micro_batches = m;
      return out;
    }
    if (m == wanted) out.reason = schedule.error();
  }
  out.micro_batches = wanted;  // the step simulation reports why it cannot run
  return out;
}

}  // namespace

int schedulable_micro_batches(const PlanShape& shape, int wanted, std::string* reason) {
  // make_schedule reads only the schedule, pp, the micro-batch count and virtual stages; a plan search
  // asks the same question for every DP, TP, EP and ZeRO choice, so the answers are memoised.
  using Key = std::tuple<int, int, int, int>;
  static std::mutex m;
  static std::map<Key, Schedulable> memo;
  const Key key{static_cast<int>(shape.schedule), shape.pp, shape.virtual_stages, wanted};
  Schedulable found;
  bool hit = false;
  {
    const std::lock_guard lock(m);
    if (const auto it = memo.find(key); it != memo.end()) {
      found = it->second;
      hit = true;
    }
  }
  if (!hit) {
    found = find_schedulable(shape, wanted);
    const std::lock_guard lock(m);
    if (memo.size() >= 4096) memo.clear();
    memo.emplace(key, found);
  }
  if (reason != nullptr && !found.reason.empty()) *reason = found.reason;
  return found.micro_batches;
}

std::vector<BatchBlock> phase_batches(const Scenario& s, const PhaseDef& def) {
  if (def.key != "pre_training") return {{def.batch_sequences, def.steps, def.tokens, -1}};
  RampInputs in;
  in.start_sequences = s.training.ramp.start_sequences;
  in.end_sequences = s.training.global_batch;
  in.ramp_tokens = s.training.ramp.ramp_tokens;
  in.total_tokens = s.training.tokens;
  in.seq_len = s.training.seq_len;
  in.levels = s.forecast.ramp_levels;
  in.unit_sequences = s.parallel.dp * s.parallel.micro_batch_size;
  return ramp_blocks(in);
}

Scenario step_scenario_by_loading(const Scenario& base, std::span<const std::string> plan, int seq_len,
                                  std::int64_t global_batch, int micro_batches) {
  std::vector<std::string> overrides(plan.begin(), plan.end());
  overrides.insert(overrides.end(), {"training.ramp.start_sequences=0", "training.ramp.tokens=0",
                                     "training.seq_len=" + std::to_string(seq_len),
                                     "training.global_batch=" + std::to_string(global_batch),
                                     "parallel.micro_batches=" + std::to_string(micro_batches)});
  Scenario s = load_scenario_text(to_yaml(base), base.source_file, overrides);
  s.source_file = base.source_file;
  s.sources = base.sources;  // errors point into the user's file, not the generated text
  return s;
}

StepScenario step_scenario(const Scenario& base, std::span<const std::string> plan, double batch_sequences,
                           int seq_len, std::string_view phase_key) {
  const std::string key(phase_key);
  StepScenario out;
  try {
    const PlanShape shape = plan_shape(base, plan);
    const int unit = shape.dp * shape.micro_batch_size;
    const int wanted = std::max(1, static_cast<int>(std::ceil(batch_sequences / unit - 1e-9)));
    std::string reason;
    const int m = schedulable_micro_batches(shape, wanted, &reason);
    const std::int64_t global_batch = static_cast<std::int64_t>(m) * unit;
    bool direct = false;
    if (plan.empty()) {
      // Without a phase plan the step is the base with the five keys below set: set them on a copy and
      // validate it. That is what loading the base's YAML with them as overrides gives (a test holds the
      // two equal on every shipped scenario's phases and ramp levels) without printing and parsing the
      // whole scenario for every step; anything the copy fails (a range, a rule) takes the load below,
      // which reports it as it always has.
      Scenario copy = base;
      copy.training.ramp = {};
      copy.training.seq_len = seq_len;
      copy.training.global_batch = static_cast<int>(global_batch);
      copy.parallel.micro_batches = m;
      const bool in_range = seq_len >= 1 && seq_len <= (1 << 24) && global_batch >= 1 && global_batch <= (1 << 26) &&
                            m >= 1 && m <= (1 << 20);
      if (in_range) {
        try {
          validate_scenario(copy, base.sources ? *base.sources : SourceMap(base.source_file));
          out.scenario = std::move(copy);
          direct = true;
        } catch (const InputError&) {
        }
      }
    }
    if (!direct) out.scenario = step_scenario_by_loading(base, plan, seq_len, global_batch, m);
    out.counted_sequences = batch_sequences;
    out.micro_batches = m;
    const std::string head = key + ": batch " + shortest(batch_sequences) + " at seq_len " +
                             std::to_string(seq_len) + " is " + shortest(batch_sequences / unit) +
                             " sequences per pipeline (dp x micro_batch_size = " + std::to_string(unit) + ")";
    if (m > wanted)
      out.note = head + "; " + reason + ": simulated with " + std::to_string(m) +
                 " micro-batches per pipeline, an upper bound on its step time";
    else if (static_cast<double>(m) * unit > batch_sequences)
      out.note = head + ": simulated with " + std::to_string(m) +
                 " micro-batches per pipeline, as the fullest replicas run (tokens counted from the batch)";
  } catch (const InputError& e) {
    if (plan.empty()) throw;
    throw InputError(base.pos_of(key + ".plan"), key + ".plan", std::string("this phase's plan: ") + e.what(),
                     "the plan holds --set overrides separated by ';', e.g. \"parallel.pp=8; parallel.dp=256\"");
  }
  return out;
}

}  // namespace deepsim

#include "sim/plan/plan_search.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <tuple>

#include "sim/core/error.h"
#include "sim/core/format.h"
#include "sim/model/flops_per_token.h"
#include "sim/parallel/placement.h"
#include "sim/step/simulate.h"
#include "sim/step/static_analysis.h"
#include "sim/step/step_bound.h"

namespace deepsim {

const char* to_string(PlanStatus s) {
  switch (s) {
    case PlanStatus::kSimulated: return "simulated";
    case PlanStatus::kPrunedPlacement: return "pruned: placement";
    case PlanStatus::kPrunedMemory: return "pruned: memory";
    case PlanStatus::kPrunedBound: return "pruned: bound";
    case PlanStatus::kFailed: return "failed";
  }
  return "?";
}

int PlanSearch::value(const PlanEvaluation& p, std::string_view name) const {
  const auto it = std::ranges::find(dimensions, name);
  DEEPSIM_ASSERT(it != dimensions.end(), "a searched dimension");
  return p.plan[static_cast<std::size_t>(it - dimensions.begin())];
}

namespace {

using Clock = std::chrono::steady_clock;

// Steady-state run time of a step time: the steps training.tokens take at the counted global batch.
double run_seconds(const Scenario& base, Time step) {
  const double tokens_per_step = static_cast<double>(base.training.global_batch) * base.training.seq_len;
  return tokens_per_step > 0 ? base.training.tokens / tokens_per_step * step.seconds() : 0.0;
}

double cost_of(const Scenario& base, double run_s, int gpus) { return run_s * gpus / 3600.0 * base.pricing.usd_per_gpu_hour; }

// Layout and memory of plan i, as bytes for the work pool. `tight` (non-null): the plan is simulated by
// simulate_step, so a plan that fits also gets compute_step_bound (step_bound.h), the in-order pipeline
// at the kernel model's compute times, which holds only for that step function; the memo is shared.
std::string static_check(const Scenario& base, const SearchSpace& space, std::uint64_t i, StepBoundMemo* tight) {
  nlohmann::json j;
  try {
    const Scenario s = space.apply(base, space.plan_at(i));
    // The placement rules simulate_step applies (a node holds one stage, ...), checked before any cost.
    const auto placement = Placement::make(s.parallel, s.cluster);
    if (!placement.ok()) throw InputError({base.source_file, 0, 0}, "parallel", placement.error());
    const StaticAnalysis a = analyze(s);
    j["gpus"] = s.cluster.total_gpus();
    j["dp"] = s.parallel.dp;
    j["mb"] = s.parallel.micro_batches;
    std::size_t worst = 0;
    for (std::size_t k = 0; k < a.memory.stages.size(); ++k)
      if (a.memory.stages[k].total() > a.memory.stages[worst].total()) worst = k;
    const Bytes peak = a.memory.stages.empty() ? Bytes(0) : a.memory.stages[worst].total();
    j["peak"] = peak.value();
    j["hbm"] = a.memory.hbm.value();
    Time bound = a.step_lower_bound();
    if (tight != nullptr && peak <= a.memory.hbm) bound = max(bound, compute_step_bound(s, a, tight));
    j["lb_ps"] = bound.count_ps();
    if (peak > a.memory.hbm) {
      j["status"] = static_cast<int>(PlanStatus::kPrunedMemory);
      j["reason"] = "stage " + std::to_string(a.memory.stages[worst].stage) + " needs " + format_bytes(peak) + " of " +
                    format_bytes(a.memory.hbm) + " HBM";
    } else {
      j["status"] = static_cast<int>(PlanStatus::kSimulated);  // a candidate, until a bound prunes it
    }
  } catch (const InputError& e) {
    j["status"] = static_cast<int>(PlanStatus::kPrunedPlacement);
    j["reason"] = e.key() + ": " + e.message();
  }
  return j.dump();
}

std::string simulate_plan(const Scenario& base, const SearchSpace& space, const StepFn& step, std::uint64_t i) {
  nlohmann::json j;
  try {
    const StepResult r = step(space.apply(base, space.plan_at(i)));
    j["status"] = static_cast<int>(PlanStatus::kSimulated);
    j["step"] = r.step.count_ps();
    j["bubble"] = r.bubble.count_ps();
    j["exposed"] = r.exposed_comm.count_ps();
    j["busy"] = r.compute_busy.count_ps();
  } catch (const InputError& e) {
    j["status"] = static_cast<int>(PlanStatus::kFailed);
    j["reason"] = e.key() + ": " + e.message();
  }
  return j.dump();
}

// p beats-or-matches q on both objectives.
bool covers(double time_a, double cost_a, double time_b, double cost_b) { return time_a <= time_b && cost_a <= cost_b; }

class Progress {
 public:
  Progress(std::ostream* out, std::uint64_t total) : out_(out), total_(total), start_(Clock::now()) {}
  void update(std::uint64_t done, std::uint64_t simulated, std::uint64_t pruned, std::uint64_t still_open) {
    if (out_ == nullptr) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const double per = simulated > 0 ? elapsed / static_cast<double>(simulated) : 0.0;
    const int width = 30;
    const auto filled = static_cast<int>(total_ > 0 ? width * done / total_ : width);
    *out_ << "\r[" << std::string(static_cast<std::size_t>(filled), '#')
          << std::string(static_cast<std::size_t>(width - filled), '.') << "] " << done << "/" << total_ << "  "
          << simulated << " simulated  " << pruned << " pruned  ETA <= "
          << format_seconds(per * static_cast<double>(still_open)) << "   " << std::flush;
  }
  void finish() {
    if (out_ != nullptr) *out_ << "\n";
  }

 private:
  std::ostream* out_;
  std::uint64_t total_;
  Clock::time_point start_;
};

std::string money(double usd) {
  if (usd >= 1e6) return "$" + fixed(usd / 1e6, 2) + "M";
  if (usd >= 1e3) return "$" + fixed(usd / 1e3, 1) + "k";
  return "$" + fixed(usd, 0);
}

std::string percent(double x) { return fixed(100.0 * x, 1) + "%"; }

// Why `best` beats `other`: the step's parts that differ most, and the memory headroom.
std::string compare(const PlanEvaluation& best, const PlanEvaluation& other, const char* objective) {
  const double gain = objective[0] == 't' ? 1.0 - best.run_s / other.run_s : 1.0 - best.cost_usd / other.cost_usd;
  std::string s = std::string("it is ") + percent(gain) + (objective[0] == 't' ? " faster" : " cheaper") +
                  " than the runner-up (" + other.description + "): step " + format_time(best.step) + " vs " +
                  format_time(other.step) + ", bubble " + format_time(best.bubble) + " vs " + format_time(other.bubble) +
                  ", exposed communication " + format_time(best.exposed_comm) + " vs " + format_time(other.exposed_comm) +
                  ", busiest compute " + format_time(best.compute_busy) + " vs " + format_time(other.compute_busy);
  if (best.gpus != other.gpus) s += ", on " + std::to_string(best.gpus) + " GPUs vs " + std::to_string(other.gpus);
  s += "; memory headroom " + percent(best.memory_headroom()) + " vs " + percent(other.memory_headroom());
  return s;
}

std::string dominant_loss(const PlanEvaluation& p) {
  const double step = p.step.seconds();
  return "bubble " + percent(p.bubble.seconds() / step) + " and exposed communication " +
         percent(p.exposed_comm.seconds() / step) + " of its " + format_time(p.step) + " step; MFU (BF16) " +
         percent(p.mfu_bf16) + "; " + percent(p.memory_headroom()) + " HBM headroom";
}

}  // namespace

PlanSearch search_plans(const Scenario& base, const SearchSpace& space, const PlanSearchOptions& o) {
  ThreadWorkPool one(1);
  WorkPool& pool = o.pool != nullptr ? *o.pool : one;
  StepFn step = o.step;
  StepBoundMemo bound_memo;
  StepBoundMemo* tight = o.step ? nullptr : &bound_memo;  // the default step function: compute_step_bound holds for it
  if (!step) {
    auto cache = std::make_shared<RoutingSampleCache>();
    step = [cache](const Scenario& s) {
      StepOptions so;
      so.routing_cache = cache.get();
      so.timeline = false;  // plans are ranked by their figures; no report shows their timelines
      return simulate_step(s, so);
    };
  }
  PlanSearch out;
  out.scenario = base.name;
  for (const auto& d : space.dimensions()) out.dimensions.push_back(d.name);
  out.space_size = space.size();

  // Distinct plans: interleaving alone uses virtual stages; the other schedules take the first value.
  const auto& dims = space.dimensions();
  const auto dim_index = [&](const std::string& name) {
    return static_cast<std::size_t>(std::ranges::find_if(dims, [&](const PlanDimension& d) { return d.name == name; }) - dims.begin());
  };
  // Sequence parallelism needs tp > 1: with tp = 1 only its first value counts.
  const std::size_t sched_dim = dim_index("schedule"), vs_dim = dim_index("virtual_stages");
  const std::size_t tp_dim = dim_index("tp"), sp_dim = dim_index("sequence_parallel");
  std::vector<std::uint64_t> distinct;
  for (std::uint64_t i = 0; i < out.space_size; ++i) {
    const std::vector<int> plan = space.plan_at(i);
    const bool interleaved = plan[sched_dim] == static_cast<int>(ScheduleKind::kInterleaved1F1B);
    const int vs = plan[vs_dim];
    if (!interleaved && vs != dims[vs_dim].values.front()) continue;
    if (interleaved && vs < 2) continue;  // interleaving with one chunk per rank is 1F1B
    if (plan[tp_dim] == 1 && plan[sp_dim] != dims[sp_dim].values.front()) continue;
    distinct.push_back(i);
  }

  Progress progress(o.progress, distinct.size());
  std::uint64_t done = 0;
  // 1. Layout and memory of every distinct plan.
  const std::vector<std::string> checks =
      pool.map(distinct.size(), [&](std::uint64_t k) { return static_check(base, space, distinct[k], tight); });
  std::vector<std::size_t> open;  // candidates for simulation, indices into out.plans
  for (std::size_t k = 0; k < distinct.size(); ++k) {
    const nlohmann::json j = nlohmann::json::parse(checks[k]);
    PlanEvaluation e;
    e.index = distinct[k];
    e.plan = space.plan_at(e.index);
    e.description = space.describe(e.plan);
    e.status = static_cast<PlanStatus>(j.at("status").get<int>());
    e.reason = j.value("reason", "");
    if (e.status != PlanStatus::kPrunedPlacement) {
      e.gpus = j.at("gpus").get<int>();
      e.dp = j.at("dp").get<int>();
      e.micro_batches = j.at("mb").get<int>();
      e.peak_memory = Bytes(j.at("peak").get<double>());
      e.hbm = Bytes(j.at("hbm").get<double>());
      e.step_lower_bound = Time::ps(j.at("lb_ps").get<Time::rep>());
      e.lower_bound_run_s = run_seconds(base, e.step_lower_bound);
      e.lower_bound_cost_usd = cost_of(base, e.lower_bound_run_s, e.gpus);
    }
    if (e.status == PlanStatus::kPrunedPlacement) ++out.pruned_placement;
    if (e.status == PlanStatus::kPrunedMemory) ++out.pruned_memory;
    if (e.status == PlanStatus::kSimulated) open.push_back(out.plans.size());
    out.plans.push_back(std::move(e));
  }
  done = out.pruned_placement + out.pruned_memory;
  progress.update(done, 0, done, open.size());

  // 2. Cheapest lower bound first, in fixed waves; prune what the simulated plans already cover.
  std::ranges::sort(open, [&](std::size_t a, std::size_t b) {
    const PlanEvaluation &pa = out.plans[a], &pb = out.plans[b];
    if (pa.lower_bound_cost_usd != pb.lower_bound_cost_usd) return pa.lower_bound_cost_usd < pb.lower_bound_cost_usd;
    if (pa.lower_bound_run_s != pb.lower_bound_run_s) return pa.lower_bound_run_s < pb.lower_bound_run_s;
    return a < b;
  });
  std::vector<std::size_t> simulated;
  const double model_flops_per_token = flops_per_token(base.model, base.training.seq_len, true).training_with_mtp().value();
  std::size_t wave_size = kFirstPlanWave;
  for (std::size_t at = 0; at < open.size(); wave_size = std::min(kPlanWave, 2 * wave_size)) {
    std::vector<std::size_t> wave;
    for (; at < open.size() && wave.size() < wave_size; ++at) {
      PlanEvaluation& c = out.plans[open[at]];
      const auto by = std::ranges::find_if(simulated, [&](std::size_t s) {
        const PlanEvaluation& p = out.plans[s];
        return covers(p.run_s, p.cost_usd, c.lower_bound_run_s, c.lower_bound_cost_usd);
      });
      if (by != simulated.end()) {
        c.status = PlanStatus::kPrunedBound;
        c.reason = "its lower bounds (" + format_seconds(c.lower_bound_run_s) + ", " + money(c.lower_bound_cost_usd) +
                   ") are matched by simulated plan " + std::to_string(out.plans[*by].index);
        ++out.pruned_bound;
        ++done;
        continue;
      }
      wave.push_back(open[at]);
    }
    std::vector<std::string> results(wave.size());
    pool.run(wave.size(), [&](std::uint64_t k) { return simulate_plan(base, space, step, out.plans[wave[k]].index); },
             [&](std::uint64_t k, std::string&& bytes) {
               results[k] = std::move(bytes);
               progress.update(done + k + 1, out.simulated + k + 1, out.pruned_placement + out.pruned_memory + out.pruned_bound,
                               open.size() - at);
             });
    std::string packed = pool.coordinator() ? pack_strings(results) : std::string();
    pool.share(packed);
    if (!pool.coordinator()) results = unpack_strings(packed);
    for (std::size_t k = 0; k < wave.size(); ++k) {
      PlanEvaluation& e = out.plans[wave[k]];
      const nlohmann::json j = nlohmann::json::parse(results[k]);
      e.status = static_cast<PlanStatus>(j.at("status").get<int>());
      ++done;
      if (e.status == PlanStatus::kFailed) {
        e.reason = j.at("reason").get<std::string>();
        ++out.failed;
        continue;
      }
      e.step = Time::ps(j.at("step").get<Time::rep>());
      e.bubble = Time::ps(j.at("bubble").get<Time::rep>());
      e.exposed_comm = Time::ps(j.at("exposed").get<Time::rep>());
      e.compute_busy = Time::ps(j.at("busy").get<Time::rep>());
      e.run_s = run_seconds(base, e.step);
      e.gpu_hours = e.run_s * e.gpus / 3600.0;
      e.cost_usd = cost_of(base, e.run_s, e.gpus);
      const auto& peak = base.cluster.gpu.bf16_dense;  // the plan keeps the GPU
      e.mfu_bf16 = e.run_s > 0 ? model_flops_per_token * base.training.tokens / (e.run_s * e.gpus * peak.per_s()) : 0.0;
      ++out.simulated;
      simulated.push_back(wave[k]);
    }
  }
  progress.finish();
  if (simulated.empty()) {
    std::map<std::string, int> reasons;
    for (const auto& p : out.plans) ++reasons[p.reason];
    const auto top = std::ranges::max_element(reasons, {}, [](const auto& kv) { return kv.second; });
    throw InputError({base.source_file, 0, 0}, "plan",
                     "none of the " + std::to_string(out.plans.size()) + " plans can run; the commonest reason: " +
                         (top == reasons.end() ? std::string("none") : top->first),
                     "widen the space with --vary, e.g. --vary parallel.ep=8,16,32,64");
  }

  // 3. Rankings and the Pareto front (ties broken by space index, so the order is total).
  out.by_time = simulated;
  out.by_cost = simulated;
  const auto key_time = [&](std::size_t i) { return std::tuple(out.plans[i].run_s, out.plans[i].cost_usd, out.plans[i].index); };
  const auto key_cost = [&](std::size_t i) { return std::tuple(out.plans[i].cost_usd, out.plans[i].run_s, out.plans[i].index); };
  std::ranges::sort(out.by_time, {}, key_time);
  std::ranges::sort(out.by_cost, {}, key_cost);
  double best_cost = 0;
  for (std::size_t k = 0; k < out.by_time.size(); ++k) {  // fastest first: on the front when cheaper than all faster
    PlanEvaluation& p = out.plans[out.by_time[k]];
    if (k == 0 || p.cost_usd < best_cost) {
      p.pareto = true;
      best_cost = p.cost_usd;
      out.pareto.push_back(out.by_time[k]);
    }
  }
  const PlanEvaluation& fastest = out.plans[out.by_time.front()];
  const PlanEvaluation& cheapest = out.plans[out.by_cost.front()];
  out.why.push_back("fastest: " + fastest.description + ": " + dominant_loss(fastest) +
                    (out.by_time.size() > 1 ? "; " + compare(fastest, out.plans[out.by_time[1]], "time") : ""));
  out.why.push_back("cheapest: " + cheapest.description + ": " + dominant_loss(cheapest) +
                    (out.by_cost.size() > 1 ? "; " + compare(cheapest, out.plans[out.by_cost[1]], "cost") : ""));
  return out;
}

}  // namespace deepsim

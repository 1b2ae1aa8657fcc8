#include "sim/forecast/preflight.h"

#include "sim/core/error.h"
#include "sim/forecast/forecast.h"
#include "sim/moe/routing_trace.h"
#include "sim/net/topology.h"
#include "sim/parallel/placement.h"
#include "sim/parallel/schedules.h"
#include "sim/step/simulate.h"
#include "sim/step/static_analysis.h"

namespace deepsim {
namespace {

template <class T>
void must(const Result<T>& r, const Scenario& s, const char* key) {
  if (!r.ok()) throw InputError(s.pos_of(key), key, r.error(), "see docs/pipeline.md for what each schedule needs");
}

// Errors inside the trace carry the trace's own line; the ones about the file as a whole (missing, too
// large, too many experts) are blamed on the scenario's moe.trace_path key.
void check_trace(const Scenario& s) {
  const SourcePos at = s.pos_of("moe.trace_path");
  RoutingTrace t;
  try {
    t = load_routing_trace_csv(s.moe.trace_path);
  } catch (const InputError& e) {
    if (e.pos().line > 0) throw;
    throw InputError(at, "moe.trace_path", e.message() + " ('" + s.moe.trace_path + "')", e.hint());
  }
  if (t.experts > s.model.moe.routed_experts)
    throw InputError(at, "moe.trace_path",
                     "the trace names expert " + std::to_string(t.experts - 1) + " but the model has " +
                         std::to_string(s.model.moe.routed_experts) + " routed experts",
                     "record the trace with the same model, or set model.moe.routed_experts to match");
}

// Stands in for the engine while the forecast walks its phases: it checks the step's scenario and
// returns a step of one second (the forecast's arithmetic needs a positive time), with each rank's
// memory from the static analysis.
StepResult checked_step(const Scenario& s) {
  preflight_step(s);
  StepResult r;
  r.step = Time::ms(1000);
  r.compute_busy = r.step;
  for (int rank = 0; rank < s.parallel.pp; ++rank) {
    RankResult rr;
    rr.rank = rank;
    rr.busy = r.step;
    r.ranks.push_back(rr);
  }
  return r;
}

}  // namespace

void preflight_step(const Scenario& s) {
  if (const PlacementProblem why = placement_problem(s.parallel.pp, s.parallel.dp, s.parallel.tp, s.parallel.ep,
                                                     s.cluster.nodes, s.cluster.gpus_per_node, s.parallel.cp,
                                                     s.parallel.expert_tp);
      !why.ok())
    throw InputError(s.pos_of(why.key), why.key, why.describe(), why.hint);
  must(make_schedule(s.parallel), s, "parallel.schedule");
  (void)kernel_model_for(s);  // finds, parses and checks the calibration profile
  (void)analyze(s);
  (void)build_topology(s.cluster);  // the fabric the step's collectives are routed on (its size rules)
  if (s.model.is_moe() && s.moe.source == LoadSource::kTrace) check_trace(s);
}

void preflight(const Scenario& s) {
  try {
    (void)forecast_run(s, checked_step);
  } catch (const TimeOverflow&) {
    // A one-second stand-in step cannot overflow; a forecast of it can only with absurd step counts,
    // which the loader's ranges exclude. Nothing to report before the engine runs.
  }
}

}  // namespace deepsim

#include "calibrate/src/trace_pair.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>
#include <map>
#include <sstream>

#include "sim/core/error.h"
#include "sim/engine/engine.h"
#include "sim/net/analytic_comm_model.h"
#include "sim/net/flow_run.h"
#include "sim/parallel/placement.h"
#include "sim/model/stage_assignment.h"
#include "sim/parallel/schedule.h"
#include "sim/step/comm_costs.h"
#include "sim/step/op_timing.h"
#include "sim/step/simulate.h"
#include "sim/step/stage_costs.h"
#include "sim/step/static_analysis.h"
#include "sim/step/step_graph.h"

namespace deepsim::calib {
namespace {

// The chunk of the pair: `layers` MoE layers from the model's first MoE layer, on a stage of its own
// (no embedding, head or MTP: the trace's chunks are interior).
StageLayers chunk_of(const Scenario& s, int layers) {
  const ModelSpec& m = s.model;
  int first = 0;
  while (first < m.layers && !m.is_moe_layer(first)) ++first;
  if (first + layers > m.layers)
    throw InputError(s.pos_of("model"), "model", "the model has fewer than " + std::to_string(layers) + " MoE layers",
                     "the trace's chunks are MoE layers: use a MoE model (deepseek-v3)");
  StageLayers st;
  st.stage = 0;
  st.first_layer = first;
  st.num_layers = layers;
  return st;
}

int compute_sms(const Scenario& s) { return std::max(1, s.cluster.gpu.sms - s.parallel.comm_sms); }

struct FamilyWork {
  int launches = 0;
  double us = 0;
  double flops_feature = 0;  // sum of x1 on the compute SMs
  double bytes = 0;          // sum of x5
};

// Per family, deepsim's launches, time and features of every pass of the chunk's ops.
std::array<FamilyWork, kOpFamilyCount> family_work(const Scenario& s, int layers, const KernelModel& model) {
  const StageCostContext ctx = stage_cost_context(s);
  const int sms = compute_sms(s);
  std::array<FamilyWork, kOpFamilyCount> out{};
  for (const Op& op : stage_ops(s.model, chunk_of(s, layers), ctx))
    for (const Pass p : {Pass::kForward, Pass::kDgrad, Pass::kWgrad}) {
      const OpWork w = op_work(op, p);
      if (w.flops.value() <= 0 && w.bytes.value() <= 0) continue;  // as pass_time() skips them
      FamilyWork& f = out[static_cast<std::size_t>(w.family)];
      f.launches += std::max(w.launches, 1);
      f.us += model.time(w, sms).seconds() * 1e6;
      const ProfileFeatures x = profile_features(w, TileShape{}, sms, s.cluster.gpu.sms);
      f.flops_feature += x[1];
      f.bytes += x[5];
    }
  return out;
}

// The step's communication for the chunk as the one stage of a one-rank step on the scenario's fabric.
CommCosts pair_comm(const Scenario& s, const StageLayers& st, const KernelModel& model) {
  const Result<Placement> placement = Placement::make(s.parallel, s.cluster);
  if (!placement.ok()) throw InputError(s.pos_of("parallel"), "parallel", placement.error());
  const StaticAnalysis sa = analyze(s);
  return comm_costs(s, model, sa, placement.value(), 1, 1, nullptr, {st});
}

// The F&B instruction of DualPipe on one GPU: the forward of micro-batch 0 and the full backward of
// micro-batch 1 through the chunk, issued together (sim/step/step_graph.h).
double simulated_pair_us(const Scenario& s, int layers, const KernelModel& model) {
  const StageLayers st = chunk_of(s, layers);
  const StageCostContext ctx = stage_cost_context(s);
  StepInputs in;
  in.stages = stage_costs(s.model, {st}, model, ctx);
  in.rank_gpu = {0};
  in.gpu_sms = s.cluster.gpu.sms;
  in.comm_sms = s.parallel.comm_sms;
  const CommCosts comm = pair_comm(s, st, model);
  in.moe = comm.moe;
  Schedule sched;
  sched.kind = ScheduleKind::kDualPipe;
  sched.pp = 1;
  sched.ranks = 1;
  sched.chunks_per_rank = 1;
  sched.micro_batches = 2;
  sched.routes.emplace_back(std::vector<Loc>{{0, 0}}, 1, 1);
  sched.route_of_mb = {0, 0};
  Instr fb;
  fb.op = PipeOp::kForwardBackward;
  fb.piece = {0, 0};
  fb.other = {1, 0};
  sched.program = {{fb}};
  const StepGraph g = build_step_graph(sched, in);
  AnalyticCommModel comm_model(*comm.planner);
  return run(g.graph, comm.topology->links, comm_model).makespan.seconds() * 1e6;
}

// The dispatch and combine of every layer of the chunk, forward and backward, each timed alone by the
// analytic comm model (forward dispatch and the backward of combine FP8, as the step graph sends them).
double comm_us(const Scenario& s, int layers, const KernelModel& model) {
  const StageLayers st = chunk_of(s, layers);
  const CommCosts comm = pair_comm(s, st, model);
  if (!comm.moe.enabled()) return 0;
  AnalyticCommModel comm_model(*comm.planner);
  const std::vector<std::int32_t> members = comm.moe.members(0, 0);
  double us = 0;
  for (int l = 0; l < layers; ++l)
    for (const bool bwd : {false, true})
      for (const bool dispatch : {true, false}) {
        const bool fp8 = dispatch != bwd;
        CommOp op;
        op.kind = dispatch != bwd ? CommKind::kDispatch : CommKind::kCombine;
        op.bytes = fp8 ? comm.moe.dispatch_bytes_per_token : comm.moe.bf16_bytes_per_token;
        op.dtype = fp8 ? CommDtype::kFp8 : CommDtype::kBf16;
        op.routing = comm.moe.routing(0, 0, l);
        op.sms = s.parallel.comm_sms;
        if (op.routing != kNoRouting) us += comm_model.time(op, members).seconds() * 1e6;
      }
  return us;
}

bool memory_family(OpFamily f) { return f == OpFamily::kMemoryBound || f == OpFamily::kFp8Cast; }

}  // namespace

PairComparison compare_layer_pair(const KinetoTrace& t, const Scenario& s, int layers) {
  if (t.kernels.empty())
    throw InputError({t.file, 0, 0}, "traceEvents", "no GPU kernels in the trace", "record with ProfilerActivity.CUDA");
  const auto model = kernel_model_for(s);
  PairComparison c;
  c.trace_file = t.file;
  c.kernel_model = model->describe();
  c.layers = layers;
  c.compute_sms = compute_sms(s);
  std::map<std::string, ClassSummary> by;
  for (const ClassSummary& r : summarize(t)) by[r.kernel_class] = r;
  const auto work = family_work(s, layers, *model);
  for (int f = 0; f < kOpFamilyCount; ++f) {
    const std::string name = to_string(static_cast<OpFamily>(f));
    const FamilyWork& w = work[static_cast<std::size_t>(f)];
    const auto it = by.find(name);
    if (it == by.end() && w.launches == 0) continue;
    PairRow r{name, it == by.end() ? 0 : it->second.count, it == by.end() ? 0.0 : it->second.total_us, w.launches, w.us};
    c.trace_compute_us += r.trace_us;
    c.sim_compute_us += r.sim_us;
    c.rows.push_back(r);
  }
  const auto comm = by.find(kCommunicationClass);
  c.rows.push_back({kCommunicationClass, comm == by.end() ? 0 : comm->second.count,
                    comm == by.end() ? 0.0 : comm->second.total_us, 4 * layers, comm_us(s, layers, *model)});
  if (const auto other = by.find(kOtherClass); other != by.end()) {
    c.trace_other_kernels = other->second.count;
    c.trace_other_us = other->second.total_us;
  }
  c.trace_span_us = overlap_summary(t).span_us;
  c.sim_pair_us = simulated_pair_us(s, layers, *model);
  return c;
}

std::string pair_table(const PairComparison& c) {
  std::ostringstream o;
  char line[256];
  o << c.trace_file << ": " << c.layers << " MoE layer(s) per chunk; deepsim: " << c.kernel_model << "; per-family times on "
    << c.compute_sms << " SMs\n";
  o << "family               trace kernels   trace ms  deepsim launches  deepsim ms   error\n";
  auto row = [&](const std::string& name, int tk, double tus, int sl, double sus) {
    const double err = tus > 0 ? 100.0 * (sus / tus - 1.0) : 0.0;
    std::snprintf(line, sizeof line, "%-20s %13d %10.3f %17d %11.3f %+6.1f%%\n", name.c_str(), tk, tus / 1e3, sl, sus / 1e3, err);
    o << line;
  };
  for (const PairRow& r : c.rows) row(r.family, r.trace_kernels, r.trace_us, r.sim_launches, r.sim_us);
  int tk = 0, sl = 0;
  for (const PairRow& r : c.rows)
    if (r.family != kCommunicationClass) tk += r.trace_kernels, sl += r.sim_launches;
  row("compute (summed)", tk, c.trace_compute_us, sl, c.sim_compute_us);
  if (c.trace_other_kernels > 0) {
    std::snprintf(line, sizeof line, "%-20s %13d %10.3f   (unclassified; not compared)\n", kOtherClass,
                  c.trace_other_kernels, c.trace_other_us / 1e3);
    o << line;
  }
  std::snprintf(line, sizeof line, "%-20s %13s %10.3f %17s %11.3f %+6.1f%%\n", "pair wall time", "", c.trace_span_us / 1e3,
                "", c.sim_pair_us / 1e3, 100.0 * c.total_error());
  o << line;
  return o.str();
}

KernelProfile trace_rate_profile(const KinetoTrace& t, const Scenario& s, int layers, const std::string& name,
                                 const std::string& generated_by) {
  if (t.kernels.empty())
    throw InputError({t.file, 0, 0}, "traceEvents", "no GPU kernels in the trace", "record with ProfilerActivity.CUDA");
  // The work side is the roofline's op list; the model only matters for its launches and features.
  const auto model = kernel_model_for(s);
  const auto work = family_work(s, layers, *model);
  std::map<std::string, std::pair<int, double>> by;  // class -> (kernels, total us)
  std::map<std::string, double> shortest_us;
  for (const KinetoKernel& k : t.kernels) {
    auto& b = by[k.kernel_class];
    ++b.first;
    b.second += k.dur_us;
    auto [it, fresh] = shortest_us.try_emplace(k.kernel_class, k.dur_us);
    if (!fresh) it->second = std::min(it->second, k.dur_us);
  }
  KernelProfile p;
  p.name = name;
  p.device = s.cluster.gpu.name;
  p.sms = s.cluster.gpu.sms;
  p.date = "2025-02";  // deepseek-ai/profile-data, published February 2025
  p.source = t.file + ": deepseek-ai/profile-data train.json kernels (DualPipe F&B pair, EP64, 4K tokens, " +
             std::to_string(s.parallel.comm_sms) + " SMs for DeepEP), per family over deepsim's ops of " +
             std::to_string(layers) + " MoE layer(s) per chunk";
  p.generated_by = generated_by;
  for (int f = 0; f < kOpFamilyCount; ++f) {
    const auto fam = static_cast<OpFamily>(f);
    const FamilyWork& w = work[static_cast<std::size_t>(f)];
    const auto it = by.find(to_string(fam));
    if (it == by.end() || w.launches == 0) continue;
    const double trace_s = it->second.second * 1e-6;
    FamilyModel m;
    m.family = fam;
    m.form = ProfileForm::kSum;
    if (memory_family(fam)) {
      const double c0 = shortest_us.at(to_string(fam)) * 1e-6;
      m.coef[0] = c0;
      m.coef[5] = w.bytes > 0 ? std::max(0.0, trace_s - c0 * w.launches) / w.bytes : 0.0;
    } else {
      m.coef[1] = w.flops_feature > 0 ? trace_s / w.flops_feature : 0.0;
    }
    char basis[320];
    std::snprintf(basis, sizeof basis,
                  "%d trace kernels, %.1f us in all, over deepsim's %d launches of this family (rate from the "
                  "trace's total: in-sample for this configuration)",
                  it->second.first, it->second.second, w.launches);
    m.basis = basis;
    p.families.push_back(m);
  }
  if (p.families.empty())
    throw InputError({t.file, 0, 0}, "traceEvents", "no kernel of the trace falls in a family deepsim times",
                     "check the kernel classes with deepsim-calibrate import-kineto");
  return p;
}

}  // namespace deepsim::calib

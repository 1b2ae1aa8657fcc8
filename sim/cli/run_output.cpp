#include "sim/cli/run_output.h"

#include <exception>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "sim/core/format.h"
#include "sim/cost/network_inventory.h"
#include "sim/report/step_trace.h"
#include "sim/report/documents.h"
#include "sim/report/write_reports.h"
#include "sim/scenario/loader.h"
#include "sim/step/step_key.h"

namespace deepsim::cli {

namespace {

void print_params(std::ostream& out, const RunOutput& r) {
  const ParamCount& p = r.analysis.params;
  out << "model " << r.scenario.model.name << ": " << format_count(static_cast<double>(p.total()))
      << " parameters without MTP (" << format_count(static_cast<double>(p.total_with_mtp())) << " with MTP), "
      << format_count(static_cast<double>(p.activated)) << " activated per token\n"
      << "training FLOPs per token at seq " << r.scenario.training.seq_len << ": "
      << format_flops(r.analysis.flops_causal.training()) << " (causal), "
      << format_flops(r.analysis.flops_non_causal.training()) << " (non-causal)\n"
      << "KV cache per token (BF16): " << fixed(r.analysis.kv_cache_per_token.value(), 0) << " B\n";
}

void print_memory(std::ostream& out, const RunOutput& r) {
  const MemoryEstimate& m = r.analysis.memory;
  out << "\nmemory per GPU by pipeline stage (HBM " << format_bytes(m.hbm) << "):\n"
      << "  stage  layers  weights   master    grads     optim     activ.    total\n";
  for (std::size_t i = 0; i < m.stages.size(); ++i) {
    const StageMemory& st = m.stages[i];
    const int layers = i < r.analysis.stages.size() ? r.analysis.stages[i].layers : 0;
    char line[200];
    std::snprintf(line, sizeof line, "  %5d  %6d  %8s  %8s  %8s  %8s  %8s  %8s%s\n", st.stage, layers,
                  fixed(st.weights.gb(), 1).c_str(), fixed(st.master_weights.gb(), 1).c_str(),
                  fixed(st.gradients.gb(), 1).c_str(), fixed(st.optimizer_states.gb(), 1).c_str(),
                  fixed(st.activations.gb(), 1).c_str(), fixed(st.total().gb(), 1).c_str(),
                  st.total() > m.hbm ? "  DOES NOT FIT" : "");
    out << line;
  }
  out << "  (GB; activations x in-flight micro-batches of the schedule)\n";
}

}  // namespace

namespace {

void print_step(std::ostream& out, const RunOutput& r) {
  const StepResult& st = r.step.result;
  out << "\nsimulated step (" << st.fidelity << "):\n"
      << "  step time          " << format_time(st.step) << "\n"
      << "  compute (busiest)  " << format_time(st.compute_busy) << "\n"
      << "  pipeline bubble    " << format_time(st.bubble) << " (max over ranks)\n"
      << "  exposed comm       " << format_time(st.exposed_comm) << " (max over ranks)\n"
      << "  kernel model       " << st.kernel_model << "\n"
      << "\n  compute by phase (max over ranks):\n";
  for (std::size_t p = 0; p < kStepPhaseCount; ++p)
    out << "    " << to_string(static_cast<StepPhase>(p)) << ": " << format_time(st.phase_time[p]) << "\n";
  out << "\n  rank  gpu    busy        exposed comm  bubble      peak memory\n";
  for (const auto& rr : st.ranks) {
    char line[200];
    std::snprintf(line, sizeof line, "  %4d  %5d  %-10s  %-12s  %-10s  %s\n", rr.rank, rr.gpu, format_time(rr.busy).c_str(),
                  format_time(rr.exposed_comm).c_str(), format_time(rr.bubble).c_str(), format_bytes(rr.peak_memory).c_str());
    out << line;
  }
  out << "\n  link use by class:\n";
  for (const auto& l : st.links)
    out << "    " << to_string(l.cls) << ": " << l.links << " links, " << format_bytes(Bytes(l.bytes)) << ", mean utilisation "
        << fixed(100 * l.mean_utilisation, 1) << "%\n";
  if (!r.imbalance.empty()) out << "\n  cost of expert imbalance (same plan, EP group's busiest GPU and hottest link):\n" << format_imbalance(r.imbalance);
  out << "\n  notes:\n";
  for (const auto& n : st.notes) out << "    - " << n << "\n";
}

}  // namespace

void print_run(std::ostream& out, const RunOutput& r) {
  const Scenario& s = r.scenario;
  out << "scenario " << s.name << ": " << s.cluster.total_gpus() << " x " << s.cluster.gpu.name << ", pp "
      << s.parallel.pp << " x dp " << s.parallel.dp << " x tp " << s.parallel.tp
      << (s.parallel.cp > 1 ? " x cp " + std::to_string(s.parallel.cp) : std::string()) << ", ep " << s.parallel.ep << ", "
      << to_string(s.parallel.schedule) << ", " << s.parallel.micro_batches << " micro-batches of "
      << s.parallel.micro_batch_size << "\n";
  print_params(out, r);
  print_memory(out, r);
  out << "\nstep-time lower bounds (compute at dense peak only; NOT the simulated step):\n"
      << "  all GPUs busy at peak:        " << format_time(r.analysis.bound_throughput) << "\n"
      << "  busiest pipeline rank at peak: " << format_time(r.analysis.bound_busiest_stage) << "\n";
  print_step(out, r);
}

std::string summary_line(const RunOutput& r) {
  return "simulated step " + format_time(r.step.result.step) + " (bubble " + format_time(r.step.result.bubble) +
         ", exposed comm " + format_time(r.step.result.exposed_comm) + "); compute lower bound " +
         format_time(r.analysis.step_lower_bound());
}

void write_run(const std::filesystem::path& dir, const RunOutput& r) {
  // report.md, report.html, result.json and the CSVs (sim/report), the step's Perfetto trace and the
  // static analysis with its bounds. trace.json (the largest, 17 MB on the default scenario) is written
  // on a second thread beside the others: the writers only read `r` and each file is written by one
  // thread, so the bytes are the same.
  std::exception_ptr trace_error;
  std::jthread trace_writer([&] {
    try {
      std::ofstream trace(dir / "trace.json");
      write_step_trace(trace, r.step);
    } catch (...) {
      trace_error = std::current_exception();
    }
  });
  write_reports(dir, r.report);
  std::ostringstream analysis;
  analysis << "# deepsim analysis: " << r.scenario.name << "\n\n```\n";
  print_run(analysis, r);
  analysis << "```\n";
  std::ofstream(dir / "analysis.md") << analysis.str();
  trace_writer.join();
  if (trace_error) std::rethrow_exception(trace_error);
}

}  // namespace deepsim::cli

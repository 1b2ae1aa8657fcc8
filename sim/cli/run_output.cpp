#include "sim/cli/run_output.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/core/format.h"
#include "sim/scenario/loader.h"

namespace deepsim::cli {

RunOutput compute_run(const Scenario& s) { return {s, analyze(s)}; }

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

void print_run(std::ostream& out, const RunOutput& r) {
  const Scenario& s = r.scenario;
  out << "scenario " << s.name << ": " << s.cluster.total_gpus() << " x " << s.cluster.gpu.name << ", pp "
      << s.parallel.pp << " x dp " << s.parallel.dp << " x tp " << s.parallel.tp << ", ep " << s.parallel.ep << ", "
      << to_string(s.parallel.schedule) << ", " << s.parallel.micro_batches << " micro-batches of "
      << s.parallel.micro_batch_size << "\n";
  print_params(out, r);
  print_memory(out, r);
  out << "\nstep-time lower bounds (compute at dense peak only; NOT the simulated step):\n"
      << "  all GPUs busy at peak:        " << format_time(r.analysis.bound_throughput) << "\n"
      << "  busiest pipeline rank at peak: " << format_time(r.analysis.bound_busiest_stage) << "\n";
}

std::string summary_line(const RunOutput& r) {
  return "step lower bound " + format_time(r.analysis.step_lower_bound()) + " (a bound, not a simulation)";
}

void write_run(const std::filesystem::path& dir, const RunOutput& r) {
  nlohmann::ordered_json j;
  j["deepsim_version"] = DEEPSIM_VERSION;
  j["scenario"]["name"] = r.scenario.name;
  j["model"]["params_total"] = r.analysis.params.total();
  j["model"]["params_total_with_mtp"] = r.analysis.params.total_with_mtp();
  j["model"]["params_active"] = r.analysis.params.activated;
  j["model"]["flops_per_token_causal"] = r.analysis.flops_causal.training().value();
  j["model"]["flops_per_token_non_causal"] = r.analysis.flops_non_causal.training().value();
  j["model"]["kv_cache_bytes_per_token"] = r.analysis.kv_cache_per_token.value();
  j["bounds"]["step_lower_bound_s"] = r.analysis.step_lower_bound().seconds();
  for (const auto& st : r.analysis.memory.stages) {
    j["memory"]["stages"].push_back({{"stage", st.stage}, {"total_bytes", st.total().value()},
                                     {"activations_bytes", st.activations.value()}});
  }
  std::ofstream(dir / "result.json") << j.dump(2) << "\n";
  std::ostringstream md;
  md << "# deepsim report: " << r.scenario.name << "\n\n```\n";
  print_run(md, r);
  md << "```\n\n## Resolved scenario\n\n```yaml\n" << to_yaml(r.scenario) << "```\n";
  std::ofstream(dir / "report.md") << md.str();
}

}  // namespace deepsim::cli

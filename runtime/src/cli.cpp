// deepsim-exec's command line (see cli.h): parse, load the config, run the CPU reference or the GPU trainer,
// write measured-run.json and trace.json, print tokens/s, step time and the top kernels.
#include "runtime/cli.h"

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <ostream>
#include <string>
#include <vector>

#include "cmdline/command_line.h"
#include "cmdline/duration_text.h"
#include "kernels/device.h"
#include "runtime/config.h"
#include "runtime/cpu_trainer.h"
#include "runtime/gpu_model.h"
#include "runtime/gpu_trainer.h"
#include "runtime/param_layout.h"
#include "runtime/version.h"

namespace deepsim::runtime {
namespace {

struct Options {
  std::string config;
  std::string exec;
  std::string out = "exec-out";
  int steps = 0;
  bool cpu_reference = false;
  bool debug_checks = false;
};

// 1..1e6 steps: a measured run is minutes of GPU time, not days; a bound catches `--steps 1e9` typos.
constexpr long long kMaxSteps = 1'000'000;

cmdline::CommandSpec command_spec() {
  return {"", "", 0, 0,
          "train a scaled DeepSeek-V3-architecture model on GPUs (or the CPU reference) and write the measured run",
          {{"config", "FILE", false,
            "scenario YAML (schema 1, model spelled out); exec keys from FILE's exec: section, --exec FILE, or the "
            "sibling <name>.exec.yaml (required)"},
           {"exec", "FILE", false, "exec settings YAML"},
           {"steps", "N", false, "training steps, 1..1000000 (default: exec.steps)"},
           {"out", "DIR", false,
            "writes DIR/measured-run.json and DIR/trace.json (rank r > 0: .rank<r> before .json); default exec-out"},
           {"cpu-reference", "", false, "train with the CPU reference model (tiny configs; no GPU needed)"},
           {"debug-checks", "", false, "NaN/Inf check after every op; stops naming the layer and op"}},
          "multi-GPU: scripts/exec-launch.sh N --config FILE ... (one process per GPU)"};
}

Options options_from(const cmdline::Args& a) {
  Options o;
  const auto config = a.get("config");
  if (!config) throw cmdline::UsageError(a.where(), "--config is required", "see 'deepsim-exec --help'");
  o.config = *config;
  o.exec = a.get("exec").value_or("");
  o.out = a.get("out").value_or(o.out);
  if (auto n = a.get_int("steps", 1, kMaxSteps)) o.steps = static_cast<int>(*n);
  o.cpu_reference = a.has("cpu-reference");
  o.debug_checks = a.has("debug-checks");
  return o;
}

std::string suffix(const MeasuredRun& r) { return r.rank == 0 ? "" : ".rank" + std::to_string(r.rank); }

void report(const MeasuredRun& run, std::ostream& out) {
  // Steady state: the median step after the first (warm-up: cuBLASLt heuristics, allocation).
  std::vector<double> ms;
  for (std::size_t i = run.steps.size() > 1 ? 1 : 0; i < run.steps.size(); ++i) ms.push_back(run.steps[i].time_ms);
  std::sort(ms.begin(), ms.end());
  const double median = ms.empty() ? 0.0 : ms[ms.size() / 2];
  const long tokens = run.steps.empty() ? 0 : run.steps.back().tokens;
  out << std::fixed << "step time (median after step 0): " << cmdline::duration_text_ms(median) << "\n"
      << "tokens/s: " << std::setprecision(0) << (median > 0 ? static_cast<double>(tokens) / (median / 1e3) : 0.0) << "\n"
      << std::setprecision(4) << "loss: first " << run.steps.front().loss << ", last " << run.steps.back().loss << "\n";
  const auto top = top_kernels(run.kernels, 10);
  if (top.empty()) return;
  double total = 0.0;
  for (const auto& k : run.kernels) total += static_cast<double>(k.end_ns - k.start_ns) / 1e6;
  out << "top kernels by time (" << run.kernels.size() << " kernels, " << cmdline::duration_text_ms(total) << "):\n";
  for (const auto& k : top)
    out << "  " << std::setw(6) << std::setprecision(1) << 100.0 * k.total_ms / total << "%  " << std::setw(10)
        << cmdline::duration_text_ms(k.total_ms) << "  x" << k.count << "  " << k.name.substr(0, 90) << "\n";
}

int run(const Options& o, std::ostream& out, std::ostream& err) {
  ExecConfig c = load_exec_config(o.config, o.exec);
  if (o.debug_checks) c.exec.debug_checks = true;
  MeasuredRun result;
  const StepObserver print = [&](const StepRecord& s) {
    out << "step " << s.step << "  loss " << std::fixed << std::setprecision(5) << s.loss << "  "
        << cmdline::duration_text_ms(s.time_ms) << "\n";
  };
  if (o.cpu_reference) {
    const long params = static_cast<long>(ParamLayout(c.model, full_model_shard(c.model)).total_size());
    if (params > kCpuReferenceMaxParams) {
      err << "deepsim-exec: --cpu-reference is for tiny configs: " << params << " parameters > "
          << kCpuReferenceMaxParams << "\n";
      return kExitBadInput;
    }
    result = train_cpu_reference(c, o.steps, print);
  } else {
    const kernels::DeviceInfo dev = kernels::query_device();
    if (!dev.available) {
      err << "deepsim-exec: no usable GPU: " << dev.reason << " (--cpu-reference runs the CPU reference model)\n";
      return kExitNoGpu;
    }
    result = train_gpu(c, o.steps, result.rank == 0 ? print : StepObserver{});
  }
  std::filesystem::create_directories(o.out);
  const std::string base = (std::filesystem::path(o.out) / "measured-run").string() + suffix(result) + ".json";
  const std::string trace = (std::filesystem::path(o.out) / "trace").string() + suffix(result) + ".json";
  write_json_file(to_json(result), base);
  write_json_file(to_trace_json(result), trace);
  if (result.rank == 0) {
    report(result, out);
    out << "wrote " << base << " and " << trace << "\n";
  }
  return kExitOk;
}

}  // namespace

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  const std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  // Parsing and --help/--version come first: they need no GPU and no config.
  cmdline::Program program{"deepsim-exec", version(), "the deepsim executor", {},
                           "exit codes: 0 ok, 1 run failed, 2 bad input, 3 no usable GPU"};
  program.commands.push_back({command_spec(), [&](const cmdline::Args& a) {
                                const Options o = options_from(a);
                                try {
                                  return run(o, out, err);
                                } catch (const ConfigError& e) {
                                  err << e.what() << "\n";
                                  return kExitBadInput;
                                } catch (const NonFiniteError& e) {
                                  err << "deepsim-exec: " << e.what() << "\n";
                                  return kExitRunFailed;
                                } catch (const std::exception& e) {
                                  err << "deepsim-exec: run failed: " << e.what() << "\n";
                                  return kExitRunFailed;
                                }
                              }});
  try {
    return cmdline::run_program(program, args, out, kExitBadInput);
  } catch (const cmdline::UsageError& e) {
    err << cmdline::format_usage_error(e) << "\n";
    return kExitBadInput;
  }
}

}  // namespace deepsim::runtime

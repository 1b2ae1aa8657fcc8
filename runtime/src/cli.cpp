// deepsim-exec's command line (see cli.h): parse, load the config, run the CPU reference or the GPU trainer,
// write measured-run.json and trace.json, print tokens/s, step time and the top kernels.
#include "runtime/cli.h"

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <ostream>
#include <string>
#include <vector>

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
  bool help = false;
  bool version = false;
};

const char* kUsage =
    "usage: deepsim-exec --config FILE [--exec FILE] [--steps N] [--out DIR] [--cpu-reference] [--debug-checks]\n"
    "  --config FILE     scenario YAML (schema 1, model spelled out); exec keys from FILE's exec: section,\n"
    "                    --exec FILE, or the sibling <name>.exec.yaml\n"
    "  --steps N         training steps (default: exec.steps)\n"
    "  --out DIR         writes DIR/measured-run.json and DIR/trace.json (rank r > 0: .rank<r> before .json)\n"
    "  --cpu-reference   train with the CPU reference model (tiny configs; no GPU needed)\n"
    "  --debug-checks    NaN/Inf check after every op; stops naming the layer and op\n"
    "multi-GPU: scripts/exec-launch.sh N --config FILE ... (one process per GPU)\n"
    "exit codes: 0 ok, 1 run failed, 2 bad input, 3 no usable GPU\n";

bool parse(int argc, const char* const* argv, Options& o, std::ostream& err) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](std::string& dst) {
      if (i + 1 >= argc) {
        err << "deepsim-exec: " << a << " needs a value\n";
        return false;
      }
      dst = argv[++i];
      return true;
    };
    std::string v;
    if (a == "--config") {
      if (!value(o.config)) return false;
    } else if (a == "--exec") {
      if (!value(o.exec)) return false;
    } else if (a == "--out") {
      if (!value(o.out)) return false;
    } else if (a == "--steps") {
      if (!value(v)) return false;
      try {
        o.steps = std::stoi(v);
      } catch (const std::exception&) {
        o.steps = 0;
      }
      if (o.steps < 1) {
        err << "deepsim-exec: --steps: expected a positive integer, got '" << v << "'\n";
        return false;
      }
    } else if (a == "--cpu-reference") {
      o.cpu_reference = true;
    } else if (a == "--debug-checks") {
      o.debug_checks = true;
    } else if (a == "--help" || a == "-h") {
      o.help = true;
    } else if (a == "--version") {
      o.version = true;
    } else {
      err << "deepsim-exec: unknown option '" << a << "'\n" << kUsage;
      return false;
    }
  }
  if (!o.help && !o.version && o.config.empty()) {
    err << "deepsim-exec: --config is required\n" << kUsage;
    return false;
  }
  return true;
}

std::string suffix(const MeasuredRun& r) { return r.rank == 0 ? "" : ".rank" + std::to_string(r.rank); }

void report(const MeasuredRun& run, std::ostream& out) {
  // Steady state: the median step after the first (warm-up: cuBLASLt heuristics, allocation).
  std::vector<double> ms;
  for (std::size_t i = run.steps.size() > 1 ? 1 : 0; i < run.steps.size(); ++i) ms.push_back(run.steps[i].time_ms);
  std::sort(ms.begin(), ms.end());
  const double median = ms.empty() ? 0.0 : ms[ms.size() / 2];
  const long tokens = run.steps.empty() ? 0 : run.steps.back().tokens;
  out << std::fixed << std::setprecision(3) << "step time (median after step 0): " << median << " ms\n"
      << "tokens/s: " << std::setprecision(0) << (median > 0 ? static_cast<double>(tokens) / (median / 1e3) : 0.0) << "\n"
      << std::setprecision(4) << "loss: first " << run.steps.front().loss << ", last " << run.steps.back().loss << "\n";
  const auto top = top_kernels(run.kernels, 10);
  if (top.empty()) return;
  double total = 0.0;
  for (const auto& k : run.kernels) total += static_cast<double>(k.end_ns - k.start_ns) / 1e6;
  out << "top kernels by time (" << run.kernels.size() << " kernels, " << std::setprecision(1) << total << " ms):\n";
  for (const auto& k : top)
    out << "  " << std::setw(6) << std::setprecision(1) << 100.0 * k.total_ms / total << "%  " << std::setw(10)
        << std::setprecision(3) << k.total_ms << " ms  x" << k.count << "  " << k.name.substr(0, 90) << "\n";
}

int run(const Options& o, std::ostream& out, std::ostream& err) {
  ExecConfig c = load_exec_config(o.config, o.exec);
  if (o.debug_checks) c.exec.debug_checks = true;
  MeasuredRun result;
  const StepObserver print = [&](const StepRecord& s) {
    out << "step " << s.step << "  loss " << std::setprecision(5) << s.loss << "  " << std::setprecision(2) << s.time_ms
        << " ms\n";
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
  Options o;
  if (!parse(argc, argv, o, err)) return kExitBadInput;
  if (o.help) {
    out << kUsage;
    return kExitOk;
  }
  if (o.version) {
    out << "deepsim-exec " << version() << "\n";
    return kExitOk;
  }
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
}

}  // namespace deepsim::runtime

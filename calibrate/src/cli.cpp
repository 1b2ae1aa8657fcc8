#include "calibrate/src/cli.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <vector>

#include "calibrate/src/benchmark_set.h"
#include "calibrate/src/cli_args.h"
#include "calibrate/src/compare.h"
#include "calibrate/src/kineto_trace.h"
#include "calibrate/src/measured_run.h"
#include "calibrate/src/profile_builder.h"
#include "sim/core/error.h"
#include "sim/core/suggest.h"
#include "sim/hw/catalog.h"
#include "sim/perf/kernel_model_factory.h"
#include "sim/perf/profile_yaml.h"

#ifndef DEEPSIM_CALIBRATE_DATA_DIR
#define DEEPSIM_CALIBRATE_DATA_DIR "calibrate/data"
#endif

namespace deepsim::calib {
namespace fs = std::filesystem;
namespace {

constexpr const char* kUsage =
    "usage: deepsim-calibrate COMMAND [arguments]\n\n"
    "  fit --out PROFILE.yaml [--published DEVICE] [--data DIR] [--bench BENCH.json]... [--run MEASURED.json]...\n"
    "      [--kineto TRACE.json]... [--patterns NAMES.yaml] [--only KERNEL_REGEX] [--name NAME] [--report FILE]\n"
    "      fit a calibration profile; --published h800 reads DIR/published/h800/*.csv\n"
    "  show PROFILE                  print a profile (a path, or a name in calibrate/profiles/)\n"
    "  import-kineto TRACE.json [--patterns NAMES.yaml] [--json OUT.json]\n"
    "                                per-kernel-class summary of a PyTorch-profiler trace\n"
    "  compare MEASURED.json... [--profile PROFILE] [--json OUT.json]\n"
    "                                measured kernels against a kernel model (default: roofline)\n\n"
    "exit codes: 0 ok, 2 bad input, 3 internal error\n";

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  if (!f) throw InputError({path, 0, 0}, "", "cannot write file");
  f << text;
}

// A profile name or path: the usual search (kernel_model_factory.h), then the profiles of the source
// tree this program was built from, so `--profile h800-published` works from any folder.
fs::path find_profile(const std::string& profile) {
  std::vector<fs::path> dirs = profile_search_dirs(fs::current_path());
  dirs.push_back(fs::path(default_data_dir()).parent_path() / "profiles");
  return resolve_profile(profile, dirs, "");
}

KernelNameMap name_map(const CliArgs& a) {
  KernelNameMap names;
  if (const auto p = a.get("patterns")) names.prepend_file(*p);
  return names;
}

BenchmarkSet from_samples(const DeviceInfo& dev, const std::string& date, const std::string& source,
                          std::vector<KernelSample> samples) {
  BenchmarkSet s;
  s.device = dev;
  s.date = date;
  s.sources.push_back(source);
  s.samples = std::move(samples);
  return s;
}

int cmd_fit(const CliArgs& a, std::span<const std::string> argv, std::ostream& out) {
  const auto out_path = a.get("out");
  if (!out_path) throw InputError({}, "fit", "missing --out PROFILE.yaml");
  const KernelNameMap names = name_map(a);
  const std::string data = a.get("data").value_or(default_data_dir());
  BenchmarkSet all;
  if (const auto dev = a.get("published")) {
    const std::string dir = (fs::path(data) / "published" / lower(*dev)).string();
    all.merge(read_published_dir(dir), dir);
  }
  for (const std::string& f : a.all("bench")) all.merge(read_microbench_json(f, names, a.get("only").value_or("")), f);
  for (const std::string& f : a.all("run")) {
    const MeasuredRun run = read_measured_run(f, names);
    all.merge(from_samples(run.device, run.date, f + ": measured run", samples_from_run(run)), f);
  }
  for (const std::string& f : a.all("kineto")) {
    const KinetoTrace t = read_kineto_trace(f, names);
    if (t.device.catalog.empty() || t.device.sms <= 0)
      throw InputError({f, 0, 0}, "deviceProperties", "the trace names no catalog GPU and SM count",
                       "record it with a PyTorch profiler that writes deviceProperties");
    all.merge(from_samples(t.device, "", f + ": Kineto trace", samples_from_kineto(t)), f);
  }
  if (all.samples.empty() && all.rates.empty())
    throw InputError({}, "fit", "no kernels to fit", "give --published DEVICE, --bench, --run or --kineto inputs");
  BuildOptions opt;
  opt.name = a.get("name").value_or(a.has("published") ? lower(*a.get("published")) + "-published"
                                                       : fs::path(*out_path).stem().string());
  opt.generated_by = "deepsim-calibrate";
  for (const std::string& s : argv) opt.generated_by += " " + s;
  const BuildResult r = build_profile(all, opt);
  write_profile_file(r.profile, *out_path);
  std::string report = fit_report(r.profile) + "\n";
  for (const std::string& n : r.notes) report += "note: " + n + "\n";
  out << report << "wrote " << *out_path << "\n";
  if (const auto rep = a.get("report")) write_text(*rep, report);
  return kExitOk;
}

int cmd_show(const CliArgs& a, std::ostream& out) {
  if (a.positional().size() != 1) throw InputError({}, "show", "expected one PROFILE");
  const fs::path p = find_profile(a.positional()[0]);
  const KernelProfile prof = read_profile_file(p.string());
  out << p.string() << "\nsource: " << prof.source << "\ngenerated by: " << prof.generated_by << "\n\n"
      << fit_report(prof);
  return kExitOk;
}

int cmd_import_kineto(const CliArgs& a, std::ostream& out) {
  if (a.positional().size() != 1) throw InputError({}, "import-kineto", "expected one TRACE.json");
  const KinetoTrace t = read_kineto_trace(a.positional()[0], name_map(a));
  // A trace without GPU kernels (CPU-only profiling, or a trace of another kind) has nothing to import:
  // say so and fail, rather than print an empty table and succeed.
  if (t.kernels.empty())
    throw InputError({t.file, 0, 0}, "traceEvents", "no GPU kernels (events with cat \"kernel\", ph \"X\") in the trace",
                     "record with torch.profiler.profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA])");
  const std::vector<ClassSummary> rows = summarize(t);
  const OverlapSummary overlap = overlap_summary(t);
  out << t.file << ": " << t.kernels.size() << " kernels"
      << (t.device.name.empty() ? "" : " on " + t.device.name) << "\n" << summary_table(rows) << overlap_table(overlap);
  if (const auto j = a.get("json")) {
    nlohmann::json doc;
    doc["schema"] = "deepsim.kineto-summary/1";
    doc["file"] = t.file;
    doc["device"] = t.device.name;
    for (const ClassSummary& s : rows)
      doc["classes"].push_back({{"class", s.kernel_class}, {"kernels", s.count}, {"total_us", s.total_us},
                                {"share", s.share}, {"with_shape", s.with_shape}, {"top_kernel", s.top_kernel}});
    doc["wall"] = {{"span_us", overlap.span_us}, {"busy_us", overlap.busy_us}, {"summed_us", overlap.summed_us},
                   {"overlapped_us", overlap.overlapped_us}};
    for (const StreamSummary& r : overlap.streams)
      doc["streams"].push_back({{"stream", r.stream}, {"kernels", r.kernels}, {"kernel_us", r.kernel_us},
                                {"busy_us", r.busy_us}, {"class_us", r.class_us}});
    write_text(*j, doc.dump(2) + "\n");
  }
  return kExitOk;
}

int cmd_compare(const CliArgs& a, std::ostream& out) {
  if (a.positional().empty()) throw InputError({}, "compare", "expected one or more MEASURED.json");
  std::vector<MeasuredRun> runs;
  for (const std::string& f : a.positional()) runs.push_back(read_measured_run(f));
  const std::string profile = a.has("profile") ? find_profile(*a.get("profile")).string() : "";
  const Predictor predict = [&](const MeasuredRun& run) {
    const auto gpu = find_gpu(run.device.catalog);
    if (!gpu) throw InputError({run.file, 0, 0}, "device", "'" + run.device.name + "' is not in the hardware catalog");
    const auto model = make_kernel_model(*gpu, profile);
    return predict_with_kernel_model(run, *model);
  };
  const ComparisonSummary s = compare_runs(runs, predict);
  out << comparison_table(s);
  if (const auto j = a.get("json")) write_text(*j, comparison_json(s).dump(2) + "\n");
  return kExitOk;
}

int dispatch(std::span<const std::string> argv, std::ostream& out) {
  if (argv.empty() || argv[0] == "--help" || argv[0] == "help") {
    out << kUsage;
    return argv.empty() ? kExitBadInput : kExitOk;
  }
  const std::string cmd = argv[0];
  const auto rest = argv.subspan(1);
  if (cmd == "fit")
    return cmd_fit(CliArgs::parse(cmd, rest,
                                  {{"out"}, {"published"}, {"data"}, {"bench", true, true}, {"run", true, true},
                                   {"kineto", true, true}, {"patterns"}, {"only"}, {"name"}, {"report"}}),
                   argv, out);
  if (cmd == "show") return cmd_show(CliArgs::parse(cmd, rest, {}), out);
  if (cmd == "import-kineto") return cmd_import_kineto(CliArgs::parse(cmd, rest, {{"patterns"}, {"json"}}), out);
  if (cmd == "compare") return cmd_compare(CliArgs::parse(cmd, rest, {{"profile"}, {"json"}}), out);
  const std::vector<std::string> names = {"fit", "show", "import-kineto", "compare"};
  throw InputError({}, "deepsim-calibrate", "unknown command '" + cmd + "'", suggestion_hint(cmd, names));
}

}  // namespace

std::string default_data_dir() {
  if (const char* env = std::getenv("DEEPSIM_CALIBRATE_DATA")) return env;
  return DEEPSIM_CALIBRATE_DATA_DIR;
}

int run_calibrate(std::span<const std::string> argv, std::ostream& out, std::ostream& err) {
  try {
    return dispatch(argv, out);
  } catch (const InputError& e) {
    err << "error: " << e.what() << '\n';
    return kExitBadInput;
  } catch (const InternalError& e) {
    err << e.what() << '\n';
    return kExitInternal;
  } catch (const std::exception& e) {  // I/O and library failures that are neither input nor invariant
    err << "error: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace deepsim::calib

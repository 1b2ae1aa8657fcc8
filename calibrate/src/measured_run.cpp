#include "calibrate/src/measured_run.h"

#include <algorithm>
#include <regex>

#include "calibrate/src/json_doc.h"
#include "sim/perf/kernel_profile.h"
#include "sim/core/suggest.h"

namespace deepsim::calib {
namespace {

using nlohmann::json;

DeviceInfo read_device(const JsonDoc& d, const json& j) {
  const json& dev = j.contains("device") ? j.at("device") : json();
  if (!dev.is_object()) json_fail(d, "/device", "expected an object {name, sms, driver, cuda}");
  DeviceInfo info;
  info.name = json_get<std::string>(d, dev, "/device", "name");
  info.sms = json_get<int>(d, dev, "/device", "sms");
  if (info.sms <= 0) json_fail(d, "/device/sms", "must be > 0");
  info.driver = json_get_or<std::string>(d, dev, "/device", "driver", "");
  info.cuda = json_get_or<std::string>(d, dev, "/device", "cuda", "");
  // The name the device reported decides the catalog GPU; an explicit "catalog" only stands in for names the
  // catalog does not know (executors before 0.2 wrote the scenario's cluster.gpu there, which labelled an
  // H200 run as an H100).
  info.catalog = catalog_name_for(info.name);
  if (info.catalog.empty()) info.catalog = json_get_or<std::string>(d, dev, "/device", "catalog", "");
  info.memory_bandwidth_gbps = json_get_or<double>(d, dev, "/device", "memory_bandwidth_gbps", 0.0);
  if (info.memory_bandwidth_gbps < 0) json_fail(d, "/device/memory_bandwidth_gbps", "must be >= 0");
  info.sm_clock_khz = json_get_or<int>(d, dev, "/device", "sm_clock_khz", 0);
  return info;
}

std::array<int, 3> read_dim3(const JsonDoc& d, const json& k, const std::string& at, const std::string& key) {
  std::array<int, 3> v{1, 1, 1};
  if (!k.contains(key)) return v;
  const json& a = k.at(key);
  if (!a.is_array() || a.empty() || a.size() > 3) json_fail(d, at + "/" + key, "expected [x, y, z]");
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_number_integer() || a[i].get<int>() <= 0) json_fail(d, at + "/" + key, "dimensions are positive integers");
    v[i] = a[i].get<int>();
  }
  return v;
}

std::optional<OpWork> read_work(const JsonDoc& d, const json& k, const std::string& at, const std::string& cls) {
  const std::optional<OpFamily> fam = family_of_class(cls);
  if (!fam) return std::nullopt;
  const bool has_shape = k.contains("shape");
  const bool has_counts = k.contains("flops") || k.contains("bytes");
  if (!has_shape && !has_counts) return std::nullopt;
  OpWork w;
  w.family = *fam;
  if (has_shape) {
    const json& s = k.at("shape");
    const std::string sp = at + "/shape";
    if (is_gemm_family(*fam)) {
      const auto m = json_get<std::int64_t>(d, s, sp, "m"), n = json_get<std::int64_t>(d, s, sp, "n"),
                 kk = json_get<std::int64_t>(d, s, sp, "k"), g = json_get_or<std::int64_t>(d, s, sp, "groups", 1);
      if (m <= 0 || n <= 0 || kk <= 0 || g <= 0) json_fail(d, sp, "m, n, k and groups must be > 0");
      w = gemm_work(*fam, m, n, kk, g);
    }
  }
  // Explicit counts win: the executor knows its dtypes (a BF16-out vs FP32-out GEMM differ in bytes).
  if (k.contains("flops")) w.flops = Flops(json_get<double>(d, k, at, "flops"));
  if (k.contains("bytes")) w.bytes = Bytes(json_get<double>(d, k, at, "bytes"));
  if (!is_gemm_family(*fam) && !k.contains("flops") && !k.contains("bytes"))
    json_fail(d, at, "a " + cls + " kernel with a shape also needs 'flops' and 'bytes'",
              "the executor writes FLOPs and HBM bytes for non-GEMM kernels");
  return w;
}

// Kernels that run inside a GEMM op but are not the GEMM: quantisers, transposes, the gradient accumulate,
// cuBLASLt's split-K reduction. Executors before 0.2 tagged them with the GEMM's family and shape, which would
// make 3-6 fitting samples of one GEMM launch; a GEMM-tagged kernel with such a name is memory-bound work.
bool is_gemm_auxiliary(const std::string& name) {
  static const std::regex aux("quant|transpose|accumulate|split_?k_?reduce|reduce_kernel|cast_kernel",
                              std::regex::ECMAScript | std::regex::icase | std::regex::optimize);
  return std::regex_search(name, aux);
}

MeasuredKernel read_kernel(const JsonDoc& d, const json& k, int i, const KernelNameMap& names) {
  const std::string at = "/kernels/" + std::to_string(i);
  if (!k.is_object()) json_fail(d, at, "expected an object");
  MeasuredKernel r;
  r.json_index = i;
  r.name = json_get<std::string>(d, k, at, "name");
  r.stream = json_get_or<int>(d, k, at, "stream", 0);
  r.start_ns = json_get<std::int64_t>(d, k, at, "start_ns");
  r.end_ns = json_get<std::int64_t>(d, k, at, "end_ns");
  if (r.end_ns < r.start_ns) json_fail(d, at + "/end_ns", "ends before it starts");
  r.grid = read_dim3(d, k, at, "grid");
  r.block = read_dim3(d, k, at, "block");
  r.step = json_get_or<int>(d, k, at, "step", -1);
  r.layer = json_get_or<int>(d, k, at, "layer", -1);
  r.op = json_get_or<std::string>(d, k, at, "op", "");
  r.micro_batch = json_get_or<int>(d, k, at, "micro_batch", -1);
  r.phase = json_get_or<std::string>(d, k, at, "phase", "");
  if (!r.phase.empty() && r.phase != "F" && r.phase != "B" && r.phase != "W")
    json_fail(d, at + "/phase", "phase is F, B or W (or absent)");
  r.kernel_class = json_get_or<std::string>(d, k, at, "family", "");
  if (r.kernel_class.empty()) r.kernel_class = names.classify(r.name);
  if (!is_kernel_class(r.kernel_class))
    json_fail(d, at + "/family", "unknown family '" + r.kernel_class + "'", suggestion_hint(r.kernel_class, kernel_class_names()));
  r.sms = json_get_or<int>(d, k, at, "sms", 0);
  if (const auto fam = family_of_class(r.kernel_class); fam && is_gemm_family(*fam) && is_gemm_auxiliary(r.name)) {
    r.kernel_class = to_string(OpFamily::kMemoryBound);
    return r;  // no work: only the GEMM launch itself is a GEMM sample
  }
  r.work = read_work(d, k, at, r.kernel_class);
  return r;
}

}  // namespace

std::vector<const MeasuredStep*> MeasuredRun::timed_steps() const {
  std::vector<const MeasuredStep*> v;
  for (const MeasuredStep& s : steps)
    if (!s.warmup) v.push_back(&s);
  return v;
}

bool MeasuredRun::is_timed(int step_index) const {
  return std::any_of(steps.begin(), steps.end(), [&](const MeasuredStep& s) { return s.index == step_index && !s.warmup; });
}

MeasuredRun parse_measured_run(std::string text, const std::string& display_name, const KernelNameMap& names) {
  const JsonDoc d = parse_json_text(std::move(text), display_name);
  const json& j = d.root;
  if (!j.is_object()) json_fail(d, "", "expected a JSON object");
  const auto schema = json_get<std::string>(d, j, "", "schema");
  if (schema != kMeasuredRunSchema)
    json_fail(d, "/schema", "unsupported schema '" + schema + "'", std::string("this build reads ") + kMeasuredRunSchema);
  MeasuredRun run;
  run.file = display_name;
  run.device = read_device(d, j);
  run.date = json_get<std::string>(d, j, "", "date");
  run.executor = json_get_or<std::string>(d, j, "", "executor", "");
  run.config_yaml = json_get_or<std::string>(d, j, "", "config", "");
  run.ranks = json_get_or<int>(d, j, "", "ranks", 1);
  run.rank = json_get_or<int>(d, j, "", "rank", 0);
  if (run.ranks < 1 || run.rank < 0 || run.rank >= run.ranks) json_fail(d, "/rank", "need 0 <= rank < ranks");
  const json& steps = j.contains("steps") ? j.at("steps") : json();
  if (!steps.is_array() || steps.empty()) json_fail(d, "/steps", "expected a non-empty list of steps");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const std::string at = "/steps/" + std::to_string(i);
    MeasuredStep s{json_get<int>(d, steps[i], at, "index"), json_get<std::int64_t>(d, steps[i], at, "start_ns"),
                   json_get<std::int64_t>(d, steps[i], at, "end_ns"), json_get_or<bool>(d, steps[i], at, "warmup", false)};
    if (s.end_ns <= s.start_ns) json_fail(d, at + "/end_ns", "a step must end after it starts");
    run.steps.push_back(s);
  }
  const json& kernels = j.contains("kernels") ? j.at("kernels") : json();
  if (!kernels.is_array()) json_fail(d, "/kernels", "expected a list of kernels");
  for (std::size_t i = 0; i < kernels.size(); ++i)
    run.kernels.push_back(read_kernel(d, kernels[i], static_cast<int>(i), names));
  return run;
}

MeasuredRun read_measured_run(const std::string& path, const KernelNameMap& names) {
  return parse_measured_run(read_text_file(path), path, names);
}

std::vector<KernelSample> samples_from_run(const MeasuredRun& run) {
  std::vector<KernelSample> out;
  for (const MeasuredKernel& k : run.kernels) {
    if (!k.work || !run.is_timed(k.step) || k.end_ns <= k.start_ns) continue;
    out.push_back({*k.work, Time::ns(k.end_ns - k.start_ns), k.sms > 0 ? k.sms : run.device.sms,
                   run.file + ":/kernels/" + std::to_string(k.json_index)});
  }
  return out;
}

}  // namespace deepsim::calib

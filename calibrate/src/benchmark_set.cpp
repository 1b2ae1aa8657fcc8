#include "calibrate/src/benchmark_set.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <regex>

#include "calibrate/src/csv_table.h"
#include "calibrate/src/json_doc.h"
#include "sim/core/suggest.h"

namespace deepsim::calib {
namespace {

// Published tables round TFLOPS and GB/s to 3-4 digits; a row whose two figures disagree by more than
// this was mistyped (the derived relation GB/s = bytes / (2 M N K G / TFLOPS) is exact, reference R21).
constexpr double kRowConsistency = 0.015;

OpFamily family_cell(const CsvTable& t, std::size_t row) {
  const std::string& s = t.text(row, "family");
  OpFamily f{};
  if (!parse_op_family(s, f)) {
    std::vector<std::string> names;
    for (int i = 0; i < kOpFamilyCount; ++i) names.emplace_back(to_string(static_cast<OpFamily>(i)));
    throw InputError({t.file(), t.line(row), 0}, "family", "unknown op family '" + s + "'", suggestion_hint(s, names));
  }
  return f;
}

// Time from time_us, else from TFLOPS and the FLOPs of the shape; cross-checked against GB/s.
Time row_time(const CsvTable& t, std::size_t row, const OpWork& w) {
  const SourcePos at{t.file(), t.line(row), 0};
  double seconds = t.number_or(row, "time_us", 0) * 1e-6;
  if (seconds <= 0) {
    const double tflops = t.number_or(row, "tflops", 0);
    if (tflops <= 0) throw InputError(at, "time_us", "a kernel row needs time_us or tflops > 0");
    seconds = w.flops.value() / (tflops * 1e12);
  }
  const double gbps = t.number_or(row, "gbps", 0);
  if (gbps > 0 && std::abs(w.bytes.value() / seconds / 1e9 - gbps) > kRowConsistency * gbps)
    throw InputError(at, "gbps",
                     "the row's GB/s (" + t.text(row, "gbps") + ") disagrees with its shape and time (" +
                         std::to_string(w.bytes.value() / seconds / 1e9) + ")",
                     "check the transcription: bytes = G (MK + NK) + 2 G MN for FP8 in, BF16 out");
  return Time::from_seconds(seconds);
}

void read_kernel_rows(const CsvTable& t, int sms, BenchmarkSet& out) {
  for (std::size_t r = 0; r < t.rows(); ++r) {
    const OpFamily f = family_cell(t, r);
    const SourcePos at{t.file(), t.line(r), 0};
    if (!is_gemm_family(f)) throw InputError(at, "family", "kernel tables hold GEMM families; use a rates table");
    const long long m = t.integer(r, "m"), n = t.integer(r, "n"), k = t.integer(r, "k");
    const long long g = t.has_column("groups") ? t.integer(r, "groups") : 1;
    if (m <= 0 || n <= 0 || k <= 0 || g <= 0) throw InputError(at, "m", "m, n, k and groups must be > 0");
    const OpWork w = gemm_work(f, m, n, k, g);
    out.samples.push_back({w, row_time(t, r, w), sms, t.file() + ":" + std::to_string(t.line(r))});
  }
}

void read_rate_rows(const CsvTable& t, BenchmarkSet& out) {
  for (std::size_t r = 0; r < t.rows(); ++r) {
    const SourcePos at{t.file(), t.line(r), 0};
    RateFigure f;
    f.family = family_cell(t, r);
    const std::string& bound = t.text(r, "bound");
    const std::string& unit = t.text(r, "unit");
    if (bound == "compute" && unit == "TFLOPS") f.bound = RateBound::kCompute;
    else if (bound == "memory" && unit == "GB/s") f.bound = RateBound::kMemory;
    else throw InputError(at, "bound", "expected 'compute' in TFLOPS or 'memory' in GB/s");
    f.value = t.number(r, "value");
    if (f.value <= 0) throw InputError(at, "value", "must be > 0");
    f.origin = t.file() + ":" + std::to_string(t.line(r));
    out.rates.push_back(f);
  }
}

void read_comm_rows(const CsvTable& t, BenchmarkSet& out) {
  const std::string source = t.meta("source");
  for (std::size_t r = 0; r < t.rows(); ++r) {
    const SourcePos at{t.file(), t.line(r), 0};
    CommFigure c{t.text(r, "kind"), static_cast<int>(t.integer(r, "ep")),
                 Bandwidth::gb_per_s(t.number(r, "dispatch_gbps")), Bandwidth::gb_per_s(t.number(r, "combine_gbps")),
                 static_cast<int>(t.number_or(r, "sms", 0)), source};
    if (c.ep <= 0 || c.dispatch.gb_per_s() <= 0 || c.combine.gb_per_s() <= 0)
      throw InputError(at, "ep", "ep and bandwidths must be > 0");
    out.comm.push_back(std::move(c));
  }
}

}  // namespace

void BenchmarkSet::merge(BenchmarkSet other, const std::string& other_file) {
  if (device.catalog.empty()) device = other.device;
  else if (!other.device.catalog.empty() && other.device.catalog != device.catalog)
    throw InputError({other_file, 0, 0}, "device",
                     "measured on " + other.device.catalog + ", the other inputs on " + device.catalog,
                     "fit one device per profile");
  // Published tables carry no device figures; a measured run or a kernel bench on the same GPU does.
  if (device.memory_bandwidth_gbps <= 0) device.memory_bandwidth_gbps = other.device.memory_bandwidth_gbps;
  if (device.sm_clock_khz <= 0) device.sm_clock_khz = other.device.sm_clock_khz;
  date = std::max(date, other.date);
  sources.insert(sources.end(), other.sources.begin(), other.sources.end());
  samples.insert(samples.end(), other.samples.begin(), other.samples.end());
  rates.insert(rates.end(), other.rates.begin(), other.rates.end());
  comm.insert(comm.end(), other.comm.begin(), other.comm.end());
}

BenchmarkSet read_table_csv(const std::string& path, const std::string& display_name) {
  const CsvTable t = CsvTable::parse(read_text_file(path), display_name.empty() ? path : display_name);
  BenchmarkSet s;
  s.device.name = t.meta("device");
  s.device.catalog = catalog_name_for(s.device.name);
  if (s.device.catalog.empty())
    throw InputError({t.file(), 1, 0}, "device", "the table names no catalog GPU ('" + s.device.name + "')",
                     "add a '# device: H800' line");
  const std::string sms = t.meta("sms");
  s.device.sms = sms.empty() ? 0 : std::atoi(sms.c_str());
  if (s.device.sms <= 0) throw InputError({t.file(), 1, 0}, "sms", "add a '# sms: N' line (SMs the kernels ran on)");
  s.date = t.meta("date");
  s.sources.push_back(t.file() + ": " + t.meta("source"));
  if (t.has_column("dispatch_gbps")) read_comm_rows(t, s);
  else if (t.has_column("bound")) read_rate_rows(t, s);
  else if (t.has_column("m")) read_kernel_rows(t, s.device.sms, s);
  else
    throw InputError({t.file(), 0, 0}, "", "unknown table kind",
                     "kernels need family,m,n,k[,groups],tflops|time_us; rates family,bound,value,unit; "
                     "communication kind,ep,dispatch_gbps,combine_gbps");
  return s;
}

BenchmarkSet read_published_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw InputError({dir, 0, 0}, "", "no such folder of published tables");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".csv") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) throw InputError({dir, 0, 0}, "", "no .csv tables in the folder");
  BenchmarkSet all;
  // Named as <folder>/<file>: "h800/deepgemm_dense_fp8.csv".
  const std::string folder = fs::path(dir).lexically_normal().filename().string().empty()
                                 ? fs::path(dir).lexically_normal().parent_path().filename().string()
                                 : fs::path(dir).lexically_normal().filename().string();
  for (const fs::path& f : files) {
    const std::string shown = folder + "/" + f.filename().string();
    all.merge(read_table_csv(f.string(), shown), shown);
  }
  return all;
}

BenchmarkSet read_microbench_json(const std::string& path, const KernelNameMap& names, const std::string& only) {
  using nlohmann::json;
  const JsonDoc d = load_json_file(path);
  const json& j = d.root;
  if (!j.is_object()) json_fail(d, "", "expected a JSON object");
  BenchmarkSet s;
  s.device.name = j.contains("device") && j.at("device").is_object()
                      ? json_get<std::string>(d, j.at("device"), "/device", "name")
                      : json_get<std::string>(d, j, "", "device");
  s.device.catalog = catalog_name_for(s.device.name);
  s.device.sms = json_get<int>(d, j, "", "sms");
  if (s.device.sms <= 0) json_fail(d, "/sms", "must be > 0");
  s.device.memory_bandwidth_gbps = json_get_or<double>(d, j, "", "memory_bandwidth_gbps", 0.0);
  s.device.sm_clock_khz = json_get_or<int>(d, j, "", "sm_clock_khz", 0);
  s.date = json_get_or<std::string>(d, j, "", "date_utc", json_get_or<std::string>(d, j, "", "date", ""));
  s.sources.push_back(std::filesystem::path(path).filename().string() + ": micro-benchmark on " + s.device.name);
  const std::regex keep(only.empty() ? std::string(".*") : only, std::regex::ECMAScript | std::regex::icase);
  const char* list_key = j.contains("results") ? "results" : "rows";
  if (!j.contains(list_key) || !j.at(list_key).is_array()) json_fail(d, "", "missing 'results' (a list of rows)");
  const json& rows = j.at(list_key);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string at = "/" + std::string(list_key) + "/" + std::to_string(i);
    const json& r = rows[i];
    const std::string kernel = json_get_or<std::string>(d, r, at, "kernel", "");
    if (!std::regex_search(kernel, keep)) continue;
    const std::string cls = json_get_or<std::string>(d, r, at, "family", names.classify(kernel));
    const std::optional<OpFamily> f = family_of_class(cls);
    if (!f || !is_gemm_family(*f)) json_fail(d, at, "row is not a GEMM family ('" + cls + "')", "set 'family'");
    const auto m = json_get<std::int64_t>(d, r, at, "m"), n = json_get<std::int64_t>(d, r, at, "n"),
               k = json_get<std::int64_t>(d, r, at, "k"), g = json_get_or<std::int64_t>(d, r, at, "groups", 1);
    if (m <= 0 || n <= 0 || k <= 0 || g <= 0) json_fail(d, at, "m, n, k and groups must be > 0");
    double us = json_get_or<double>(d, r, at, "time_us", json_get_or<double>(d, r, at, "median_ms", 0) * 1e3);
    if (us <= 0) json_fail(d, at, "needs time_us or median_ms > 0");
    s.samples.push_back({gemm_work(*f, m, n, k, g), Time::from_seconds(us * 1e-6), s.device.sms, path + ":" + at});
  }
  return s;
}

}  // namespace deepsim::calib

#include "calibrate/src/kineto_trace.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "calibrate/src/json_doc.h"
#include "calibrate/src/launch_shape.h"
#include "sim/perf/kernel_profile.h"
#include "sim/core/format.h"

namespace deepsim::calib {
namespace {

using nlohmann::json;
using Dims = std::vector<std::vector<std::int64_t>>;

bool is_kernel_event(const json& e) {
  if (!e.is_object() || !e.contains("cat") || !e.at("cat").is_string()) return false;
  std::string cat = e.at("cat").get<std::string>();
  for (char& c : cat) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return cat == "kernel" && e.contains("ph") && e.at("ph") == "X";
}

std::optional<std::int64_t> external_id(const json& e) {
  if (!e.contains("args") || !e.at("args").is_object()) return std::nullopt;
  const json& a = e.at("args");
  for (const char* key : {"External id", "external id"})
    if (a.contains(key) && a.at(key).is_number_integer()) return a.at(key).get<std::int64_t>();
  return std::nullopt;
}

// CPU ops (cat cpu_op) by External id: name and, when recorded, input dims.
struct CpuOp {
  std::string name;
  std::optional<Dims> dims;
};

std::map<std::int64_t, CpuOp> cpu_ops(const json& events) {
  std::map<std::int64_t, CpuOp> ops;
  for (const json& e : events) {
    if (!e.is_object() || !e.contains("cat") || e.at("cat") != "cpu_op") continue;
    const auto id = external_id(e);
    if (!id || !e.contains("name") || !e.at("name").is_string()) continue;
    CpuOp op{e.at("name").get<std::string>(), std::nullopt};
    const json& a = e.at("args");
    if (a.contains("Input Dims") && a.at("Input Dims").is_array()) {
      try {
        op.dims = a.at("Input Dims").get<Dims>();
      } catch (const json::exception&) {
        // Non-tensor arguments appear as nested empty lists or scalars; such ops give no GEMM shape.
      }
    }
    ops.emplace(*id, std::move(op));
  }
  return ops;
}

std::array<int, 3> dim3(const json& args, const char* key) {
  std::array<int, 3> v{1, 1, 1};
  if (!args.contains(key) || !args.at(key).is_array()) return v;
  const json& a = args.at(key);
  for (std::size_t i = 0; i < a.size() && i < 3; ++i)
    if (a[i].is_number_integer()) v[i] = a[i].get<int>();
  return v;
}

KinetoKernel read_kernel(const JsonDoc& d, const json& e, int index, const KernelNameMap& names) {
  const std::string at = "/traceEvents/" + std::to_string(index);
  KinetoKernel k;
  k.event_index = index;
  k.name = json_get<std::string>(d, e, at, "name");
  k.ts_us = json_get<double>(d, e, at, "ts");
  k.dur_us = json_get<double>(d, e, at, "dur");
  if (k.dur_us < 0) json_fail(d, at + "/dur", "negative duration");
  k.kernel_class = names.classify(k.name);
  if (e.contains("args") && e.at("args").is_object()) {
    const json& a = e.at("args");
    k.stream = a.contains("stream") && a.at("stream").is_number_integer() ? a.at("stream").get<int>() : 0;
    k.grid = dim3(a, "grid");
    k.block = dim3(a, "block");
  }
  return k;
}

}  // namespace

std::optional<std::array<std::int64_t, 4>> gemm_shape_from_dims(const std::string& op, const Dims& d) {
  auto ok = [](std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t g) -> std::optional<std::array<std::int64_t, 4>> {
    if (m <= 0 || n <= 0 || k <= 0 || g <= 0) return std::nullopt;
    return std::array<std::int64_t, 4>{m, n, k, g};
  };
  if (op == "aten::mm" && d.size() >= 2 && d[0].size() == 2 && d[1].size() == 2 && d[0][1] == d[1][0])
    return ok(d[0][0], d[1][1], d[0][1], 1);
  if (op == "aten::addmm" && d.size() >= 3 && d[1].size() == 2 && d[2].size() == 2 && d[1][1] == d[2][0])
    return ok(d[1][0], d[2][1], d[1][1], 1);
  if (op == "aten::bmm" && d.size() >= 2 && d[0].size() == 3 && d[1].size() == 3 && d[0][2] == d[1][1] &&
      d[0][0] == d[1][0])
    return ok(d[0][1], d[1][2], d[0][2], d[0][0]);
  // linear: input [..., K], weight [N, K]; matmul: input [..., K], other [K, N].
  const bool linear = op == "aten::linear", matmul = op == "aten::matmul";
  if ((linear || matmul) && d.size() >= 2 && !d[0].empty() && d[1].size() == 2) {
    std::int64_t m = 1;
    for (std::size_t i = 0; i + 1 < d[0].size(); ++i) m *= d[0][i];
    const std::int64_t k = d[0].back();
    if (linear && d[1][1] == k) return ok(m, d[1][0], k, 1);
    if (matmul && d[1][0] == k) return ok(m, d[1][1], k, 1);
  }
  return std::nullopt;
}

KinetoTrace parse_kineto_trace(std::string text, const std::string& display_name, const KernelNameMap& names) {
  const JsonDoc d = parse_json_text(std::move(text), display_name);
  const json& j = d.root;
  // Chrome traces are either {"traceEvents": [...]} or a bare array of events.
  const json* events = j.is_array() ? &j : (j.is_object() && j.contains("traceEvents") ? &j.at("traceEvents") : nullptr);
  if (events == nullptr || !events->is_array()) json_fail(d, "", "no traceEvents list", "a Chrome/Kineto trace JSON");
  KinetoTrace t;
  t.file = display_name;
  if (j.is_object() && j.contains("deviceProperties") && j.at("deviceProperties").is_array() &&
      !j.at("deviceProperties").empty()) {
    const json& p = j.at("deviceProperties")[0];
    t.device.name = json_get_or<std::string>(d, p, "/deviceProperties/0", "name", "");
    t.device.sms = json_get_or<int>(d, p, "/deviceProperties/0", "numSms", 0);
    t.device.catalog = catalog_name_for(t.device.name);
  }
  const std::map<std::int64_t, CpuOp> ops = cpu_ops(*events);
  std::map<std::int64_t, int> gemm_kernels_per_op;  // a shape is only trusted for an op's single GEMM kernel
  for (std::size_t i = 0; i < events->size(); ++i) {
    const json& e = (*events)[i];
    if (!is_kernel_event(e)) continue;
    KinetoKernel k = read_kernel(d, e, static_cast<int>(i), names);
    const auto id = external_id(e);
    const std::optional<OpFamily> fam = family_of_class(k.kernel_class);
    if (id) {
      if (const auto it = ops.find(*id); it != ops.end()) {
        k.cpu_op = it->second.name;
        if (fam && is_gemm_family(*fam) && it->second.dims) {
          if (const auto s = gemm_shape_from_dims(it->second.name, *it->second.dims)) {
            k.work = gemm_work(*fam, (*s)[0], (*s)[1], (*s)[2], (*s)[3]);
            ++gemm_kernels_per_op[*id];
          }
        }
      }
    }
    // No CPU-op shape: what the launch configuration gives (flash attention, launch_shape.h).
    if (!k.work && fam && (*fam == OpFamily::kAttentionFwd || *fam == OpFamily::kAttentionBwd))
      if (const auto a = attention_launch(k.name, k.grid); a && a->backward == (*fam == OpFamily::kAttentionBwd)) {
        k.work = attention_work(*a);
        k.shape_from_launch = true;
      }
    t.kernels.push_back(std::move(k));
  }
  // Drop shapes that several GEMM kernels of one op would share (split-K parts, fused epilogues).
  for (std::size_t i = 0, e = 0; i < events->size() && e < t.kernels.size(); ++i) {
    if (!is_kernel_event((*events)[i])) continue;
    if (const auto id = external_id((*events)[i]); id && gemm_kernels_per_op[*id] > 1) t.kernels[e].work.reset();
    ++e;
  }
  return t;
}

KinetoTrace read_kineto_trace(const std::string& path, const KernelNameMap& names) {
  return parse_kineto_trace(read_text_file(path), path, names);
}

std::vector<ClassSummary> summarize(const KinetoTrace& t) {
  double all = 0;
  std::map<std::string, ClassSummary> by;
  std::map<std::string, std::map<std::string, double>> per_name;
  for (const KinetoKernel& k : t.kernels) {
    ClassSummary& s = by[k.kernel_class];
    s.kernel_class = k.kernel_class;
    ++s.count;
    s.total_us += k.dur_us;
    if (k.work) ++s.with_shape;
    if (k.shape_from_launch) ++s.shape_from_launch;
    per_name[k.kernel_class][k.name] += k.dur_us;
    all += k.dur_us;
  }
  std::vector<ClassSummary> rows;
  for (const std::string& c : kernel_class_names()) {
    const auto it = by.find(c);
    if (it == by.end()) continue;
    ClassSummary s = it->second;
    s.share = all > 0 ? s.total_us / all : 0;
    double best = -1;
    for (const auto& [name, us] : per_name[c])  // map order: ties go to the alphabetically first name
      if (us > best) { best = us; s.top_kernel = name; }
    rows.push_back(std::move(s));
  }
  return rows;
}

std::string summary_table(const std::vector<ClassSummary>& rows) {
  std::ostringstream o;
  o << "class                  kernels    total ms   share  shaped  top kernel\n";
  for (const ClassSummary& s : rows) {
    char line[256];
    std::snprintf(line, sizeof line, "%-20s %9d %11.3f %6.1f%% %7d  %.60s\n", s.kernel_class.c_str(), s.count,
                  s.total_us / 1e3, 100 * s.share, s.with_shape, s.top_kernel.c_str());
    o << line;
  }
  return o.str();
}

std::vector<KernelSample> samples_from_kineto(const KinetoTrace& t, int sms) {
  const int n_sms = sms > 0 ? sms : t.device.sms;
  std::vector<KernelSample> out;
  for (const KinetoKernel& k : t.kernels)
    if (k.work && k.dur_us > 0)
      out.push_back({*k.work, Time::from_seconds(k.dur_us * 1e-6), n_sms,
                     t.file + ":/traceEvents/" + std::to_string(k.event_index)});
  return out;
}

namespace {

// Length of the union of [start, end) intervals.
double union_length(std::vector<std::pair<double, double>> iv) {
  std::sort(iv.begin(), iv.end());
  double total = 0, start = 0, end = 0;
  bool open = false;
  for (const auto& [a, b] : iv) {
    if (!open || a > end) {
      if (open) total += end - start;
      start = a;
      end = b;
      open = true;
    } else {
      end = std::max(end, b);
    }
  }
  if (open) total += end - start;
  return total;
}

}  // namespace

OverlapSummary overlap_summary(const KinetoTrace& t) {
  OverlapSummary o;
  std::map<int, std::vector<std::pair<double, double>>> by_stream;
  std::map<int, StreamSummary> rows;
  std::vector<std::pair<double, double>> all;
  double first = 0, last = 0;
  for (const KinetoKernel& k : t.kernels) {
    const std::pair<double, double> iv{k.ts_us, k.ts_us + k.dur_us};
    by_stream[k.stream].push_back(iv);
    all.push_back(iv);
    StreamSummary& r = rows[k.stream];
    r.stream = k.stream;
    ++r.kernels;
    r.kernel_us += k.dur_us;
    r.class_us[k.kernel_class] += k.dur_us;
    o.summed_us += k.dur_us;
    first = all.size() == 1 ? iv.first : std::min(first, iv.first);
    last = all.size() == 1 ? iv.second : std::max(last, iv.second);
  }
  double per_stream_busy = 0;
  for (auto& [stream, r] : rows) {
    r.busy_us = union_length(by_stream[stream]);
    per_stream_busy += r.busy_us;
    o.streams.push_back(r);
  }
  o.busy_us = union_length(all);
  o.span_us = last - first;
  o.overlapped_us = per_stream_busy - o.busy_us;
  return o;
}

std::string overlap_table(const OverlapSummary& o) {
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "wall span %.3f ms, any kernel running %.3f ms, kernels summed %.3f ms, "
                "streams overlapping %.3f ms\n", o.span_us / 1e3, o.busy_us / 1e3, o.summed_us / 1e3,
                o.overlapped_us / 1e3);
  out << line << "stream  kernels    busy ms  busy share  classes (ms)\n";
  for (const StreamSummary& r : o.streams) {
    std::snprintf(line, sizeof line, "%6d %8d %10.3f %10.1f%%  ", r.stream, r.kernels, r.busy_us / 1e3,
                  o.span_us > 0 ? 100 * r.busy_us / o.span_us : 0.0);
    out << line;
    std::string classes;
    for (const auto& [c, us] : r.class_us) {
      std::snprintf(line, sizeof line, "%s%s %.3f", classes.empty() ? "" : ", ", c.c_str(), us / 1e3);
      classes += line;
    }
    out << classes << "\n";
  }
  return out.str();
}

}  // namespace deepsim::calib

#include "sim/perf/profile_yaml.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <type_traits>
#include <vector>

#include "sim/core/error.h"
#include "sim/core/suggest.h"

namespace deepsim {
namespace {

constexpr std::array<const char*, kProfileFeatureCount> kCoefNames = {
    "launch_s", "s_per_flop", "s_per_a_elem", "s_per_w_elem", "s_per_d_elem", "s_per_byte"};

std::string num(double v) {
  std::ostringstream o;
  o.precision(17);
  o << v;
  return o.str();
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

void write_quality(std::ostringstream& o, const FitQuality& q) {
  o << "    fit: {points: " << q.points << ", mape: " << num(q.mape) << ", rms_rel: " << num(q.rms_rel)
    << ", max_rel: " << num(q.max_rel) << ", loo_mape: " << num(q.loo_mape) << ", loo_rms_rel: " << num(q.loo_rms_rel)
    << "}\n";
}

void write_family(std::ostringstream& o, const FamilyModel& f) {
  o << "  " << to_string(f.family) << ":\n";
  o << "    form: " << to_string(f.form) << "\n";
  o << "    tile: [" << f.tile.m << ", " << f.tile.n << "]\n";
  o << "    basis: " << quoted(f.basis) << "\n";
  // The rates a reader wants to see; informative only, the coefficients below are what is read back.
  o << "    # rates: compute " << (f.coef[1] > 0 ? num(1e-12 / f.coef[1]) : "inf") << " TFLOPS; launch "
    << num(f.coef[0] * 1e6) << " us\n";
  o << "    coefficients:\n";
  for (int i = 0; i < kProfileFeatureCount; ++i)
    o << "      " << kCoefNames[static_cast<std::size_t>(i)] << ": " << num(f.coef[static_cast<std::size_t>(i)]) << "\n";
  if (f.quality) write_quality(o, *f.quality);
  if (!f.residuals.empty()) {
    o << "    residuals:\n";
    for (const ProfileResidual& r : f.residuals)
      o << "      - {m: " << r.m << ", n: " << r.n << ", k: " << r.k << ", groups: " << r.groups
        << ", measured_us: " << num(r.measured_us) << ", predicted_us: " << num(r.predicted_us) << "}\n";
  }
}

// Reading: one small cursor over a mapping that checks keys and reports positions.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& key, const std::string& msg,
                         const std::string& hint = {}) const {
    const YAML::Mark mk = at.Mark();
    throw InputError({file_, mk.line + 1, mk.column + 1}, key, msg, hint);
  }

  void check_keys(const YAML::Node& map, const std::string& path, const std::vector<std::string>& allowed) const {
    if (!map.IsMap()) fail(map, path, "expected a mapping");
    for (const auto& kv : map) {
      if (!kv.first.IsScalar()) fail(kv.first, path, "a key must be a plain name");
    const auto key = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
        fail(kv.first, path.empty() ? key : path + "." + key, "unknown key", suggestion_hint(key, allowed));
    }
  }

  template <class T>
  T get(const YAML::Node& map, const std::string& key, const std::string& path) const {
    const YAML::Node v = map[key];
    if (!v) fail(map, path + key, "missing");
    T out{};
    try {
      out = v.as<T>();
    } catch (const YAML::Exception&) {
      fail(v, path + key, "wrong type: '" + YAML::Dump(v) + "'");
    }
    // yaml-cpp reads .nan and .inf as doubles; a coefficient of NaN gave a plausible-looking step.
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(out)) fail(v, path + key, "must be a finite number, got '" + v.Scalar() + "'");
    return out;
  }

  template <class T>
  T get_or(const YAML::Node& map, const std::string& key, const std::string& path, T fallback) const {
    return map[key] ? get<T>(map, key, path) : fallback;
  }

 private:
  std::string file_;
};

FitQuality read_quality(const Reader& r, const YAML::Node& n, const std::string& path) {
  r.check_keys(n, path, {"points", "mape", "rms_rel", "max_rel", "loo_mape", "loo_rms_rel"});
  const std::string p = path + ".";
  return {r.get<int>(n, "points", p), r.get<double>(n, "mape", p),     r.get<double>(n, "rms_rel", p),
          r.get<double>(n, "max_rel", p), r.get<double>(n, "loo_mape", p), r.get<double>(n, "loo_rms_rel", p)};
}

FamilyModel read_family(const Reader& r, const YAML::Node& key, const YAML::Node& n) {
  FamilyModel f;
  const auto name = key.as<std::string>();
  const std::string path = "families." + name;
  if (!parse_op_family(name, f.family)) {
    std::vector<std::string> names;
    for (int i = 0; i < kOpFamilyCount; ++i) names.emplace_back(to_string(static_cast<OpFamily>(i)));
    r.fail(key, path, "unknown op family", suggestion_hint(name, names));
  }
  r.check_keys(n, path, {"form", "tile", "basis", "coefficients", "fit", "residuals"});
  const auto form = r.get<std::string>(n, "form", path + ".");
  if (form != "sum" && form != "max") r.fail(n["form"], path + ".form", "expected sum or max");
  f.form = form == "sum" ? ProfileForm::kSum : ProfileForm::kMax;
  const auto tile = r.get<std::vector<int>>(n, "tile", path + ".");
  if (tile.size() != 2 || tile[0] < 0 || tile[1] < 0) r.fail(n["tile"], path + ".tile", "expected [m, n] >= 0");
  f.tile = {tile[0], tile[1]};
  f.basis = r.get_or<std::string>(n, "basis", path + ".", "");
  const YAML::Node c = n["coefficients"];
  if (!c) r.fail(n, path + ".coefficients", "missing");
  r.check_keys(c, path + ".coefficients", {kCoefNames.begin(), kCoefNames.end()});
  for (std::size_t i = 0; i < kCoefNames.size(); ++i) {
    f.coef[i] = r.get_or<double>(c, kCoefNames[i], path + ".coefficients.", 0.0);
    if (f.coef[i] < 0) r.fail(c[kCoefNames[i]], path + ".coefficients." + kCoefNames[i], "must be >= 0");
  }
  if (n["fit"]) f.quality = read_quality(r, n["fit"], path + ".fit");
  for (const YAML::Node& e : n["residuals"]) {
    r.check_keys(e, path + ".residuals", {"m", "n", "k", "groups", "measured_us", "predicted_us"});
    const std::string p = path + ".residuals.";
    f.residuals.push_back({r.get<std::int64_t>(e, "m", p), r.get<std::int64_t>(e, "n", p),
                           r.get<std::int64_t>(e, "k", p), r.get<std::int64_t>(e, "groups", p),
                           r.get<double>(e, "measured_us", p), r.get<double>(e, "predicted_us", p)});
  }
  return f;
}

CommFigure read_comm(const Reader& r, const YAML::Node& e) {
  r.check_keys(e, "communication", {"kind", "ep", "dispatch_gbps", "combine_gbps", "sms", "source"});
  const std::string p = "communication.";
  return {r.get<std::string>(e, "kind", p), r.get<int>(e, "ep", p),
          Bandwidth::gb_per_s(r.get<double>(e, "dispatch_gbps", p)),
          Bandwidth::gb_per_s(r.get<double>(e, "combine_gbps", p)), r.get_or<int>(e, "sms", p, 0),
          r.get_or<std::string>(e, "source", p, "")};
}

}  // namespace

std::string profile_to_yaml(const KernelProfile& p) {
  std::ostringstream o;
  o << "# deepsim calibration profile (docs/calibration.md). Generated; regenerate it from its data instead\n"
       "# of editing. t = c . x (form sum) or c0 + max(compute, memory) (form max), x in kernel_profile.h.\n";
  o << "schema: " << kProfileSchema << "\n";
  o << "name: " << quoted(p.name) << "\n";
  o << "device: " << quoted(p.device) << "\n";
  o << "sms: " << p.sms << "\n";
  o << "date: " << quoted(p.date) << "\n";
  o << "source: " << quoted(p.source) << "\n";
  o << "generated_by: " << quoted(p.generated_by) << "\n";
  o << "families:" << (p.families.empty() ? " {}\n" : "\n");
  for (const FamilyModel& f : p.families) write_family(o, f);
  o << "communication:" << (p.communication.empty() ? " []\n" : "\n");
  for (const CommFigure& c : p.communication)
    o << "  - {kind: " << quoted(c.kind) << ", ep: " << c.ep << ", dispatch_gbps: " << num(c.dispatch.gb_per_s())
      << ", combine_gbps: " << num(c.combine.gb_per_s()) << ", sms: " << c.sms << ", source: " << quoted(c.source)
      << "}\n";
  return o.str();
}

namespace {

KernelProfile read_profile(const YAML::Node& root, const std::string& display_name);

}  // namespace

KernelProfile profile_from_yaml(std::string_view text, const std::string& display_name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));  // Load, not LoadAll: LoadAll can loop forever (yaml_document.h)
  } catch (const YAML::Exception& e) {
    throw InputError({display_name, e.mark.line + 1, e.mark.column + 1}, "", "YAML syntax: " + e.msg,
                     "check the indentation and the quotes");
  }
  try {
    return read_profile(root, display_name);
  } catch (const YAML::Exception& e) {
    // A structure the reader did not expect (a list where a mapping belongs, ...): still the input's fault.
    throw InputError({display_name, e.mark.line + 1, e.mark.column + 1}, "", "unexpected profile structure: " + e.msg,
                     "compare with calibrate/profiles/h800-published.yaml");
  }
}

namespace {

KernelProfile read_profile(const YAML::Node& root, const std::string& display_name) {
  const Reader r(display_name);
  r.check_keys(root, "", {"schema", "name", "device", "sms", "date", "source", "generated_by", "families",
                          "communication"});
  if (r.get<int>(root, "schema", "") != kProfileSchema)
    r.fail(root["schema"], "schema", "unsupported profile schema", "this build reads schema 1");
  KernelProfile p;
  p.name = r.get<std::string>(root, "name", "");
  p.device = r.get<std::string>(root, "device", "");
  p.sms = r.get<int>(root, "sms", "");
  if (p.sms <= 0) r.fail(root["sms"], "sms", "must be > 0");
  p.date = r.get_or<std::string>(root, "date", "", "");
  p.source = r.get_or<std::string>(root, "source", "", "");
  p.generated_by = r.get_or<std::string>(root, "generated_by", "", "");
  const YAML::Node fams = root["families"];
  if (fams && !fams.IsMap()) r.fail(fams, "families", "expected a mapping of op family -> model");
  for (const auto& kv : fams) p.families.push_back(read_family(r, kv.first, kv.second));
  const YAML::Node comm = root["communication"];
  if (comm && !comm.IsSequence() && !comm.IsNull()) r.fail(comm, "communication", "expected a list");
  for (const YAML::Node& e : comm) p.communication.push_back(read_comm(r, e));
  return p;
}

}  // namespace

KernelProfile read_profile_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError({path, 0, 0}, "", "cannot open calibration profile");
  std::ostringstream text;
  text << in.rdbuf();
  return profile_from_yaml(text.str(), path);
}

void write_profile_file(const KernelProfile& p, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw InputError({path, 0, 0}, "", "cannot write calibration profile");
  out << profile_to_yaml(p);
}

}  // namespace deepsim

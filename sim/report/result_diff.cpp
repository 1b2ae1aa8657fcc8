#include "sim/report/result_diff.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "sim/core/error.h"
#include "sim/core/format.h"

namespace deepsim {
namespace fs = std::filesystem;
using Json = nlohmann::json;

std::optional<double> FigureChange::delta() const {
  if (!a || !b) return std::nullopt;
  return *b - *a;
}

std::optional<double> FigureChange::relative() const {
  if (!a || !b || *a == 0.0) return std::nullopt;
  return (*b - *a) / *a;
}

Json read_result(const std::string& path, std::string& file_used) {
  fs::path p(path);
  if (fs::is_directory(p)) p /= "result.json";
  file_used = p.string();
  std::ifstream in(p);
  if (!in) throw InputError({file_used, 0, 0}, "", "cannot read the result", "give a result.json or a run folder written by 'deepsim run --out'");
  Json j;
  try {
    j = Json::parse(in);
  } catch (const Json::parse_error& e) {
    throw InputError({file_used, 0, 0}, "", std::string("not JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("result_schema"))
    throw InputError({file_used, 0, 0}, "result_schema", "not a deepsim result.json", "docs/result-schema.md");
  return j;
}

namespace {

// Text at a JSON pointer, "" when absent or not a string (at(), not operator[]: GCC's null-dereference
// analysis trips over the const operator[] path).
std::string string_at(const Json& r, const std::string& pointer) {
  const Json::json_pointer ptr(pointer);
  if (!r.contains(ptr)) return "";
  const Json& v = r.at(ptr);
  return v.is_string() ? v.get_ref<const std::string&>() : "";
}

// The resolved scenario as flat "a.b.c" -> scalar text (sequences as a.b[0]).
void flatten(const YAML::Node& n, const std::string& prefix, std::map<std::string, std::string>& out) {
  if (n.IsMap()) {
    for (const auto& kv : n) flatten(kv.second, prefix.empty() ? kv.first.as<std::string>() : prefix + "." + kv.first.as<std::string>(), out);
  } else if (n.IsSequence()) {
    for (std::size_t i = 0; i < n.size(); ++i) flatten(n[i], prefix + "[" + std::to_string(i) + "]", out);
  } else if (n.IsScalar()) {
    out[prefix] = n.Scalar();
  } else if (n.IsNull()) {
    out[prefix] = "null";
  }
}

std::map<std::string, std::string> scenario_keys(const Json& r) {
  std::map<std::string, std::string> keys;
  const std::string yaml = string_at(r, "/assumptions/scenario_yaml");
  if (yaml.empty()) return keys;
  try {
    flatten(YAML::Load(yaml), "", keys);
  } catch (const YAML::Exception&) {
    keys["(scenario_yaml)"] = "unreadable";
  }
  return keys;
}

std::optional<double> number_at(const Json& r, const std::string& pointer) {
  const Json::json_pointer ptr(pointer);
  if (!r.contains(ptr)) return std::nullopt;
  const Json& v = r.at(ptr);
  if (!v.is_number()) return std::nullopt;
  return v.get<double>();
}

struct Figure {
  const char* name;
  const char* unit;
  const char* pointer;
};

// The headline figures, in the order the report shows them.
constexpr Figure kHeadlines[] = {
    {"step time", "s", "/step/time_s"},
    {"pipeline bubble", "s", "/step/bubble_s"},
    {"exposed comm", "s", "/step/exposed_comm_s"},
    {"exposed DP sync", "s", "/step/exposed_dp_s"},
    {"compute (busiest)", "s", "/step/compute_busy_s"},
    {"tokens per second", "tokens/s", "/run/throughput/tokens_per_s"},
    {"MFU (FP8 peak, causal)", "fraction", "/run/throughput/mfu_fp8_causal"},
    {"run time", "days", "/run/days"},
    {"GPU-hours", "GPU-h", "/run/gpu_hours"},
    {"cost", "USD", "/run/cost_usd"},
    {"rental", "USD", "/run/rental_usd"},
    {"ownership", "USD", "/run/ownership_usd"},
    {"cost per million tokens", "USD", "/run/usd_per_million_tokens"},
    {"parameters", "count", "/model/params_total"},
    {"GPUs", "count", "/cluster/gpus"},
};

void add_step_phases(const Json& a, const Json& b, ResultDiff& d) {
  std::vector<std::string> names;
  for (const Json* r : {&a, &b}) {
    const Json::json_pointer ptr("/step/phase_time_s");
    if (!r->contains(ptr) || !r->at(ptr).is_object()) continue;
    for (const auto& [k, v] : r->at(ptr).items())
      if (std::find(names.begin(), names.end(), k) == names.end()) names.push_back(k);
  }
  for (const std::string& n : names)
    d.figures.push_back({"step phase", n, "s", number_at(a, "/step/phase_time_s/" + n), number_at(b, "/step/phase_time_s/" + n)});
}

const Json* phase_of(const Json& r, const std::string& key) {
  if (!r.contains("phases") || !r.at("phases").is_array()) return nullptr;
  for (const Json& p : r.at("phases"))
    if (string_at(p, "/key") == key) return &p;
  return nullptr;
}

void add_run_phases(const Json& a, const Json& b, ResultDiff& d) {
  std::vector<std::string> keys;
  for (const Json* r : {&a, &b}) {
    if (!r->contains("phases") || !r->at("phases").is_array()) continue;
    for (const Json& p : r->at("phases")) {
      const std::string k = string_at(p, "/key");
      if (!k.empty() && std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    }
  }
  constexpr Figure kPhase[] = {{"days", "days", "/days"}, {"GPU-hours", "GPU-h", "/gpu_hours"},
                               {"steps", "count", "/steps"}, {"cost", "USD", "/cost/usd"}};
  for (const std::string& k : keys) {
    const Json* pa = phase_of(a, k);
    const Json* pb = phase_of(b, k);
    for (const Figure& f : kPhase)
      d.figures.push_back({"run phase " + k, f.name, f.unit, pa ? number_at(*pa, f.pointer) : std::nullopt,
                           pb ? number_at(*pb, f.pointer) : std::nullopt});
  }
}

// Four significant digits or so, with K/M/B above a thousand, never an exponent.
std::string short_number(double v) {
  const double a = std::fabs(v);
  if (a >= 1000.0) return format_count(v);
  if (a >= 1.0 || a == 0.0) return fixed(v, 2);
  const int decimals = std::min(9, 2 + static_cast<int>(std::ceil(-std::log10(a))));
  return fixed(v, decimals);
}

std::string value_text(std::optional<double> v, const std::string& unit) {
  if (!v) return "-";
  if (unit == "s") return format_seconds(*v);
  if (unit == "days") return format_seconds(*v * 86400.0);
  if (unit == "USD") return "$" + short_number(*v);
  if (unit == "fraction") return fixed(100 * *v, 1) + "%";
  if (unit == "count") return std::fabs(*v) >= 1000.0 ? format_count(*v) : fixed(*v, 0);
  return short_number(*v) + " " + unit;
}

std::string change_text(const FigureChange& f) {
  const auto rel = f.relative();
  if (!f.delta()) return "";
  if (*f.delta() == 0.0) return "=";
  std::string s = (*f.delta() > 0 ? "+" : "-") + value_text(std::fabs(*f.delta()), f.unit);
  if (rel) s += " (" + std::string(*rel > 0 ? "+" : "") + fixed(100 * *rel, 1) + "%)";
  return s;
}

void pad(std::ostringstream& out, const std::string& s, std::size_t w) {
  out << s;
  for (std::size_t i = s.size(); i < w; ++i) out << ' ';
}

}  // namespace

ResultDiff diff_results(const Json& a, const Json& b) {
  ResultDiff d;
  d.a_name = string_at(a, "/scenario/name");
  d.b_name = string_at(b, "/scenario/name");
  const auto ka = scenario_keys(a), kb = scenario_keys(b);
  auto ia = ka.begin(), ib = kb.begin();
  while (ia != ka.end() || ib != kb.end()) {  // merge of two sorted key lists
    if (ib == kb.end() || (ia != ka.end() && ia->first < ib->first)) {
      d.inputs.push_back({ia->first, ia->second, std::nullopt});
      ++ia;
    } else if (ia == ka.end() || ib->first < ia->first) {
      d.inputs.push_back({ib->first, std::nullopt, ib->second});
      ++ib;
    } else {
      if (ia->second != ib->second) d.inputs.push_back({ia->first, ia->second, ib->second});
      ++ia;
      ++ib;
    }
  }
  for (const Figure& f : kHeadlines) d.figures.push_back({"headline", f.name, f.unit, number_at(a, f.pointer), number_at(b, f.pointer)});
  add_step_phases(a, b, d);
  add_run_phases(a, b, d);
  return d;
}

std::string format_diff(const ResultDiff& d) {
  std::ostringstream out;
  out << "A: " << d.a_file << (d.a_name.empty() ? "" : " (" + d.a_name + ")") << "\n"
      << "B: " << d.b_file << (d.b_name.empty() ? "" : " (" + d.b_name + ")") << "\n\n";
  if (d.inputs.empty()) {
    out << "inputs: identical resolved scenarios\n";
  } else {
    out << "inputs that differ (" << d.inputs.size() << "):\n";
    std::size_t w = 4;
    for (const auto& c : d.inputs) w = std::max(w, c.key.size() + 2);
    for (const auto& c : d.inputs) {
      out << "  ";
      pad(out, c.key, w);
      out << c.a.value_or("(absent)") << "  ->  " << c.b.value_or("(absent)") << "\n";
    }
  }
  std::string group;
  for (const FigureChange& f : d.figures) {
    if (f.group != group) {
      group = f.group;
      out << "\n" << group << ":\n";
      out << "  ";
      pad(out, "", 26);
      pad(out, "A", 20);
      pad(out, "B", 20);
      out << "change\n";
    }
    out << "  ";
    pad(out, f.name, 26);
    pad(out, value_text(f.a, f.unit) + "  ", 20);
    pad(out, value_text(f.b, f.unit) + "  ", 20);
    out << change_text(f) << "\n";
  }
  return out.str();
}

nlohmann::ordered_json diff_json(const ResultDiff& d) {
  nlohmann::ordered_json j;
  j["a"] = {{"file", d.a_file}, {"scenario", d.a_name}};
  j["b"] = {{"file", d.b_file}, {"scenario", d.b_name}};
  j["inputs"] = nlohmann::ordered_json::array();
  for (const auto& c : d.inputs)
    j["inputs"].push_back({{"key", c.key}, {"a", c.a ? nlohmann::ordered_json(*c.a) : nlohmann::ordered_json()},
                           {"b", c.b ? nlohmann::ordered_json(*c.b) : nlohmann::ordered_json()}});
  j["figures"] = nlohmann::ordered_json::array();
  auto num = [](std::optional<double> v) { return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(); };
  for (const FigureChange& f : d.figures)
    j["figures"].push_back({{"group", f.group}, {"name", f.name}, {"unit", f.unit}, {"a", num(f.a)}, {"b", num(f.b)},
                            {"delta", num(f.delta())}, {"relative", num(f.relative())}});
  return j;
}

}  // namespace deepsim

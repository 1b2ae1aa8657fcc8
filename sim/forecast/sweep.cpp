#include "sim/forecast/sweep.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "sim/core/error.h"
#include "sim/core/suggest.h"
#include "sim/scenario/scalar_codec.h"
#include "sim/scenario/schema.h"
#include "sim/scenario/source_map.h"
#include "sim/scenario/yaml_document.h"

namespace deepsim {
namespace {

const std::vector<std::string>& sweep_keys() {
  static const std::vector<std::string> keys = {"sweep", "name", "base", "kind", "set", "grid", "zip"};
  return keys;
}

std::string yaml_text(const YAML::Node& node) {
  YAML::Emitter e;
  e << YAML::Flow << node;
  return e.c_str();
}

// Checks a dotted scenario key component by component, like --set does, so a typo in any part gets a
// did-you-mean from the keys allowed at that level.
void check_key(const std::string& path, const SourcePos& pos) {
  std::string prefix;
  for (std::size_t start = 0;;) {
    const std::size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!prefix.empty() && !is_section(prefix))
      throw InputError(pos, path, "'" + prefix + "' is a value, not a section", "drop '." + part + "'");
    const auto keys = child_keys(prefix);
    if (part.empty() || std::ranges::find(keys, part) == keys.end())
      throw InputError(pos, path,
                       "unknown scenario key '" + part + "'" + (prefix.empty() ? "" : " in '" + prefix + "'"),
                       suggestion_hint(part, keys));
    prefix = prefix.empty() ? part : prefix + "." + part;
    if (dot == std::string::npos) return;
    start = dot + 1;
  }
}

// A value for `path`: type- and range-checked now when the key is a single field.
std::string checked_value(const std::string& path, const YAML::Node& value, const SourceMap& src) {
  const SourcePos pos = src.from_mark(value.Mark());
  if (const Field* f = find_field(path)) {
    if (!value.IsScalar())
      throw InputError(pos, path, "expected one value for this key, got a list or mapping",
                       "a sweep lists values under grid: or zip:, e.g. " + path + ": [a, b]");
    (void)parse_field_value(*f, value, pos);
  } else if (!value.IsMap()) {
    throw InputError(pos, path, "'" + path + "' is a section: its value must be a mapping, e.g. {key: value}");
  }
  return yaml_text(value);
}

SweepAxis read_axis(const std::string& path, const YAML::Node& list, const SourceMap& src) {
  if (!list.IsSequence() || list.size() == 0)
    throw InputError(src.from_mark(list.Mark()), path, "expected a non-empty list of values",
                     "write " + path + ": [value1, value2]");
  SweepAxis axis{{path}, {}};
  for (const auto& v : list) axis.values.push_back({checked_value(path, v, src)});
  return axis;
}

void read_grid(Sweep& sw, const YAML::Node& grid, const SourceMap& src) {
  for (const auto& kv : grid) {
    const std::string path = kv.first.Scalar();
    check_key(path, src.from_mark(kv.first.Mark()));
    sw.axes.push_back(read_axis(path, kv.second, src));
  }
}

void read_zip(Sweep& sw, const YAML::Node& zip, const SourceMap& src) {
  SweepAxis joined;
  for (const auto& kv : zip) {
    const std::string path = kv.first.Scalar();
    check_key(path, src.from_mark(kv.first.Mark()));
    const SweepAxis one = read_axis(path, kv.second, src);
    if (!joined.keys.empty() && one.values.size() != joined.values.size())
      throw InputError(src.from_mark(kv.first.Mark()), path,
                       "zip lists must have equal lengths: " + std::to_string(one.values.size()) + " values here, " +
                           std::to_string(joined.values.size()) + " for " + joined.keys.front(),
                       "zip steps its lists together; use grid: for every combination");
    if (joined.keys.empty()) joined.values.resize(one.values.size());
    joined.keys.push_back(path);
    for (std::size_t i = 0; i < one.values.size(); ++i) joined.values[i].push_back(one.values[i].front());
  }
  if (!joined.keys.empty()) sw.axes.push_back(std::move(joined));
}

void check_top(const YAML::Node& root, const SourceMap& src) {
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    if (std::ranges::find(sweep_keys(), key) == sweep_keys().end())
      throw InputError(src.from_mark(kv.first.Mark()), key, "unknown key '" + key + "' in a sweep file",
                       suggestion_hint(key, sweep_keys()));
  }
  const YAML::Node v = root["sweep"];
  if (!v.IsScalar() || v.Scalar() != "1")
    throw InputError(src.from_mark(v.Mark()), "sweep", "sweep version must be 1", "start the file with 'sweep: 1'");
  for (const char* section : {"set", "grid", "zip"})
    if (root[section].IsDefined() && !root[section].IsNull() && !root[section].IsMap())
      throw InputError(src.from_mark(root[section].Mark()), section,
                       std::string("expected a mapping of scenario keys under '") + section + "'",
                       "e.g. parallel.ep: [32, 64]");
}

// The point count is a product of list lengths: refuse it, naming the axis where it crosses the limit,
// before a batch starts something that cannot finish.
void check_size(const Sweep& sw, const YAML::Node& root, const SourceMap& src) {
  std::uint64_t n = 1;
  for (std::size_t a = 0; a < sw.axes.size(); ++a) {
    n *= sw.axes[a].values.size();  // each factor is under kMaxSweepPoints, so this cannot wrap
    if (n <= kMaxSweepPoints) continue;
    const std::string& key = sw.axes[a].keys.front();
    const bool zipped = sw.axes[a].keys.size() > 1 || (a + 1 == sw.axes.size() && root["zip"].IsMap());
    const YAML::Node section = root[zipped ? "zip" : "grid"];
    YAML::Mark mark = section.Mark();
    for (const auto& kv : section)
      if (kv.first.Scalar() == key) mark = kv.first.Mark();
    throw InputError(src.from_mark(mark), key,
                     "the sweep has more than " + std::to_string(kMaxSweepPoints) + " points (" +
                         std::to_string(sw.axes.size()) + " axes; the limit is " + std::to_string(kMaxSweepPoints) + ")",
                     "split it into several sweep files, or use zip: to step lists together instead of grid:");
  }
}

}  // namespace

std::uint64_t Sweep::size() const {
  // Saturates instead of wrapping (64 two-valued keys made 2^64 = "0 scenarios"); parse_sweep refuses
  // anything over kMaxSweepPoints, so a parsed sweep never gets near it.
  std::uint64_t n = 1;
  for (const auto& a : axes) {
    const std::uint64_t k = a.values.size();
    if (k != 0 && n > std::numeric_limits<std::uint64_t>::max() / k) return std::numeric_limits<std::uint64_t>::max();
    n *= k;
  }
  return n;
}

std::vector<std::string> Sweep::overrides_at(std::uint64_t i) const {
  std::vector<std::string> out = fixed;
  std::vector<std::size_t> pos(axes.size());
  for (std::size_t a = axes.size(); a-- > 0;) {
    pos[a] = static_cast<std::size_t>(i % axes[a].values.size());
    i /= axes[a].values.size();
  }
  for (std::size_t a = 0; a < axes.size(); ++a)
    for (std::size_t k = 0; k < axes[a].keys.size(); ++k) out.push_back(axes[a].keys[k] + "=" + axes[a].values[pos[a]][k]);
  return out;
}

std::string Sweep::label_at(std::uint64_t i) const {
  const std::vector<std::string> all = overrides_at(i);
  std::string label;
  for (std::size_t k = fixed.size(); k < all.size(); ++k) label += (label.empty() ? "" : " ") + all[k];
  return label.empty() ? "base" : label;
}

bool is_sweep_text(std::string_view yaml) {
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    return root.IsMap() && root["sweep"].IsDefined();
  } catch (const YAML::Exception&) {
    return false;  // not YAML at all: the scenario loader reports it
  }
}

bool is_sweep_file(const std::string& path) {
  try {
    return is_sweep_text(read_input_file(path));
  } catch (const InputError&) {
    return false;  // not a readable file: loading it as a scenario reports why
  }
}

Sweep parse_sweep(std::string_view yaml, const std::string& display_name) {
  const SourceMap src(display_name);
  YAML::Node root = load_single_yaml_document(yaml, src);  // not const: const operator[] of a missing key throws
  if (!root.IsMap()) throw InputError({display_name, 1, 1}, "", "a sweep file is a mapping", "start with 'sweep: 1'");
  check_top(root, src);
  Sweep sw;
  sw.file = display_name;
  if (root["name"].IsDefined() && !root["name"].IsScalar())  // as<std::string>() threw a non-input error: exit 1
    throw InputError(src.from_mark(root["name"].Mark()), "name", "a sweep's name is one line of text", "e.g. name: ep32-vs-ep64");
  sw.name = root["name"].IsDefined() ? root["name"].Scalar() : std::filesystem::path(display_name).stem().string();
  if (!root["base"].IsScalar())
    throw InputError({display_name, 1, 1}, "base", "a sweep needs 'base:', the scenario file it varies",
                     "e.g. base: ../full-run/deepseek-v3.yaml (relative to the sweep file)");
  const std::filesystem::path base = root["base"].Scalar();
  sw.base = (base.is_absolute() ? base : std::filesystem::path(display_name).parent_path() / base).lexically_normal().string();
  if (root["kind"].IsDefined()) {
    const YAML::Node kind = root["kind"];
    sw.kind_pos = src.from_mark(kind.Mark());
    const std::vector<std::string> kinds = {"train", "serve"};
    if (!kind.IsScalar() || std::ranges::find(kinds, kind.Scalar()) == kinds.end())
      throw InputError(sw.kind_pos, "kind", "a sweep's kind is train or serve" + (kind.IsScalar() ? ", not '" + kind.Scalar() + "'" : std::string()),
                       kind.IsScalar() ? suggestion_hint(kind.Scalar(), kinds) : "e.g. kind: serve");
    sw.kind = kind.Scalar();
  }
  if (root["set"].IsMap())
    for (const auto& kv : root["set"]) {
      const std::string path = kv.first.Scalar();
      check_key(path, src.from_mark(kv.first.Mark()));
      sw.fixed.push_back(path + "=" + checked_value(path, kv.second, src));
    }
  if (root["grid"].IsMap()) read_grid(sw, root["grid"], src);
  if (root["zip"].IsMap()) read_zip(sw, root["zip"], src);
  check_size(sw, root, src);
  return sw;
}

Sweep load_sweep_file(const std::string& path) { return parse_sweep(read_input_file(path), path); }

}  // namespace deepsim

#include "sim/scenario/schema.h"

#include <algorithm>
#include <sstream>

#include "sim/scenario/scalar_codec.h"

namespace deepsim {
namespace {

std::vector<Field> build_schema() {
  std::vector<Field> v;
  add_top_fields(v);
  add_cluster_fields(v);
  add_model_fields(v);
  add_run_fields(v);
  add_forecast_fields(v);
  add_moe_routing_fields(v);
  add_serving_fields(v);
  add_reference_fields(v);
  return v;
}

bool starts_with_section(std::string_view path, std::string_view section) {
  if (section.empty()) return true;
  return path.size() > section.size() && path.starts_with(section) && path[section.size()] == '.';
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? std::string(sep) : std::string()) + v[i];
  return out;
}

std::string kind_text(FieldKind k) {
  switch (k) {
    case FieldKind::kInt:
      return "integer";
    case FieldKind::kCount:
      return "count";
    case FieldKind::kReal:
      return "number";
    case FieldKind::kSeed:
      return "uint64";
    case FieldKind::kBool:
      return "bool";
    case FieldKind::kText:
      return "text";
    case FieldKind::kChoice:
      return "name";
  }
  return "?";
}

std::string range_text(const Field& f) {
  switch (f.kind) {
    case FieldKind::kSeed:
      return "0 to 2^64-1";
    case FieldKind::kInt:
    case FieldKind::kCount:
    case FieldKind::kReal:
      return f.min == f.max ? shortest(f.min) : shortest(f.min) + " to " + shortest(f.max);
    case FieldKind::kBool:
      return "true, false";
    case FieldKind::kText:
      return "any";
    case FieldKind::kChoice:
      return join(f.choices(), ", ");
  }
  return "?";
}

}  // namespace

std::span<const Field> scenario_schema() {
  static const std::vector<Field> schema = build_schema();
  return schema;
}

const Field* find_field(std::string_view path) {
  for (const auto& f : scenario_schema())
    if (f.path == path) return &f;
  return nullptr;
}

std::vector<std::string> child_keys(std::string_view section) {
  std::vector<std::string> keys;
  const std::size_t skip = section.empty() ? 0 : section.size() + 1;
  for (const auto& f : scenario_schema()) {
    if (!starts_with_section(f.path, section)) continue;
    const std::string_view rest = f.path.substr(skip);
    std::string key(rest.substr(0, rest.find('.')));
    if (std::ranges::find(keys, key) == keys.end()) keys.push_back(std::move(key));
  }
  return keys;
}

bool is_section(std::string_view path) {
  return std::ranges::any_of(scenario_schema(), [&](const Field& f) { return starts_with_section(f.path, path); });
}

std::string expected_text(const Field& f) {
  switch (f.kind) {
    case FieldKind::kInt:
      if (f.min == f.max) return shortest(f.min);
      return f.min >= 1 ? "a positive integer" : f.min >= 0 ? "a non-negative integer" : "an integer";
    case FieldKind::kCount:
      return "a count (a number, or a string such as 14.8T, 469B, 32K)";
    case FieldKind::kReal:
      return f.min > 0 ? "a positive number" : f.min >= 0 ? "a non-negative number" : "a number";
    case FieldKind::kSeed:
      return "a non-negative integer";
    case FieldKind::kBool:
      return "true or false";
    case FieldKind::kText:
      return "text";
    case FieldKind::kChoice:
      return "one of: " + join(f.choices(), ", ");
  }
  return "?";
}

std::string default_text(const Field& f) {
  if (f.need == Need::kRequired) return "required";
  if (f.need == Need::kUnlessPreset) return "preset (required without one)";
  if (!f.fallback.empty()) return std::string(f.fallback);
  if (!f.default_doc.empty()) return std::string(f.default_doc);
  const auto v = f.get(Scenario{});
  if (!v) return "none";
  if (const auto* text = std::get_if<std::string>(&*v)) return text->empty() ? "empty" : *text;
  return format_field_value(f, *v);
}

std::string schema_markdown() {
  std::ostringstream out;
  out << "| key | type | unit | default | range | meaning |\n";
  out << "|---|---|---|---|---|---|\n";
  for (const auto& f : scenario_schema()) {
    out << "| `" << f.path << "` | " << kind_text(f.kind) << " | " << f.unit << " | " << default_text(f) << " | "
        << range_text(f) << " | " << f.doc << " |\n";
  }
  return out.str();
}

}  // namespace deepsim

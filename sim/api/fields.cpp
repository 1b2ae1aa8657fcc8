#include "sim/api/fields.h"

#include "sim/scenario/scalar_codec.h"
#include "sim/scenario/schema.h"

namespace deepsim::api {
namespace {

FieldType type_of(FieldKind k) {
  switch (k) {
    case FieldKind::kInt: return FieldType::kInteger;
    case FieldKind::kCount: return FieldType::kCount;
    case FieldKind::kReal: return FieldType::kReal;
    case FieldKind::kSeed: return FieldType::kSeed;
    case FieldKind::kBool: return FieldType::kBool;
    case FieldKind::kText: return FieldType::kText;
    case FieldKind::kChoice: return FieldType::kChoice;
  }
  return FieldType::kText;
}

FieldInfo info_of(const Field& f) {
  FieldInfo i;
  i.path = std::string(f.path);
  i.type = type_of(f.kind);
  i.min = f.min;
  i.max = f.max;
  i.unit = std::string(f.unit);
  i.doc = std::string(f.doc);
  i.expected = expected_text(f);
  if (f.choices) i.choices = f.choices();
  return i;
}

}  // namespace

std::optional<FieldInfo> field_info(std::string_view path) {
  const Field* f = find_field(path);
  if (!f) return std::nullopt;
  return info_of(*f);
}

std::vector<FieldInfo> fields_under(std::string_view section) {
  std::vector<FieldInfo> out;
  const std::string prefix = std::string(section) + ".";
  for (const Field& f : scenario_schema())
    if (section.empty() || f.path.substr(0, prefix.size()) == prefix) out.push_back(info_of(f));
  return out;
}

std::optional<std::string> field_value(const Scenario& s, std::string_view path) {
  const Field* f = find_field(path);
  if (!f || !f->get) return std::nullopt;
  const std::optional<FieldValue> v = f->get(s);
  if (!v) return std::nullopt;
  std::string text = format_field_value(*f, *v);
  // Text values come back double-quoted for YAML; a form shows the bare text.
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
  return text;
}

}  // namespace deepsim::api

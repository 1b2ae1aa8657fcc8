// Building blocks for the schema table (schema_*.cpp only): a Field bound to a Scenario member through a
// chain of pointers to members, so each key is one line naming where its value lives.
#pragma once

#include <cmath>
#include <string>
#include <type_traits>

#include "sim/scenario/schema.h"

namespace deepsim::schema_detail {

// member<&Scenario::parallel, &ParallelSpec::pp>(s) is s.parallel.pp: a left fold over operator .*.
// clang-format off
template <auto... Ms>
constexpr auto& member(Scenario& s) {
  return (s .* ... .* Ms);
}
template <auto... Ms>
constexpr const auto& member(const Scenario& s) {
  return (s .* ... .* Ms);
}
// clang-format on


struct Doc {
  std::string_view unit;
  std::string_view doc;
  Need need = Need::kOptional;
  std::string_view default_doc = {};
};

// A Field without its accessors; the builders below and the hand-written fields add those.
inline Field make_field(std::string_view path, FieldKind kind, double min, double max, const Doc& d) {
  Field f;
  f.path = path;
  f.kind = kind;
  f.need = d.need;
  f.min = min;
  f.max = max;
  f.unit = d.unit;
  f.default_doc = d.default_doc;
  f.doc = d.doc;
  return f;
}

// An integer key stored in an int (or a double holding a whole number).
template <auto... Ms>
Field int_field(std::string_view path, double min, double max, Doc d) {
  Field f = make_field(path, FieldKind::kInt, min, max, d);
  f.set = [](Scenario& s, const FieldValue& v) {
    auto& m = member<Ms...>(s);
    m = static_cast<std::remove_reference_t<decltype(m)>>(std::get<std::int64_t>(v));
  };
  f.get = [](const Scenario& s) -> std::optional<FieldValue> {
    return static_cast<std::int64_t>(std::llround(member<Ms...>(s)));
  };
  return f;
}

// A real (kReal) or SI-suffixed count (kCount) stored in a double.
template <auto... Ms>
Field real_field(std::string_view path, FieldKind kind, double min, double max, Doc d) {
  Field f = make_field(path, kind, min, max, d);
  f.set = [](Scenario& s, const FieldValue& v) { member<Ms...>(s) = std::get<double>(v); };
  f.get = [](const Scenario& s) -> std::optional<FieldValue> { return member<Ms...>(s); };
  return f;
}

// A typed quantity (Bandwidth, FlopRate, Bytes, Time) written in the user's unit: ToUser and FromUser
// convert at this edge only (STYLE rule 4).
template <auto ToUser, auto FromUser, auto... Ms>
Field quantity_field(std::string_view path, double min, double max, Doc d) {
  Field f = make_field(path, FieldKind::kReal, min, max, d);
  f.set = [](Scenario& s, const FieldValue& v) { member<Ms...>(s) = FromUser(std::get<double>(v)); };
  f.get = [](const Scenario& s) -> std::optional<FieldValue> { return ToUser(member<Ms...>(s)); };
  return f;
}

template <auto... Ms>
Field text_field(std::string_view path, Doc d) {
  Field f = make_field(path, FieldKind::kText, 0, 0, d);
  f.set = [](Scenario& s, const FieldValue& v) { member<Ms...>(s) = std::get<std::string>(v); };
  f.get = [](const Scenario& s) -> std::optional<FieldValue> { return member<Ms...>(s); };
  return f;
}

template <auto... Ms>
Field bool_field(std::string_view path, Doc d) {
  Field f = make_field(path, FieldKind::kBool, 0, 0, d);
  f.set = [](Scenario& s, const FieldValue& v) { member<Ms...>(s) = std::get<bool>(v); };
  f.get = [](const Scenario& s) -> std::optional<FieldValue> { return member<Ms...>(s); };
  return f;
}

// An enum key: Names() lists the spellings in enum order, Values() the enum values in the same order.
template <auto Names, auto ToString, auto... Ms>
Field enum_field(std::string_view path, Doc d) {
  Field f = make_field(path, FieldKind::kChoice, 0, 0, d);
  f.choices = Names;
  f.set = [](Scenario& s, const FieldValue& v) {
    auto& m = member<Ms...>(s);
    using E = std::remove_reference_t<decltype(m)>;
    const auto names = Names();
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == std::get<std::string>(v)) m = static_cast<E>(i);
  };
  f.get = [](const Scenario& s) -> std::optional<FieldValue> { return std::string(ToString(member<Ms...>(s))); };
  return f;
}

}  // namespace deepsim::schema_detail

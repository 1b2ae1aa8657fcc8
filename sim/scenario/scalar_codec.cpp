#include "sim/scenario/scalar_codec.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "sim/core/suggest.h"

namespace deepsim {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A finite double from the whole of `text`, or nullopt ("nan", "inf", "1e999" and trailing junk fail).
std::optional<double> parse_real(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return "'" + node.Scalar() + "'";
}

[[noreturn]] void type_error(const Field& f, const YAML::Node& node, const SourcePos& where, std::string hint = {}) {
  if (hint.empty() && !f.unit.empty()) hint = std::string("unit: ") + std::string(f.unit);
  throw InputError(where, std::string(f.path), "expected " + expected_text(f) + ", got " + describe(node),
                   std::move(hint));
}

void check_range(const Field& f, double v, std::string_view text, const SourcePos& where) {
  if (v >= f.min && v <= f.max) return;
  const bool low = v < f.min;
  std::string msg = std::string("must be at ") + (low ? "least " : "most ") + shortest(low ? f.min : f.max) + ", got " +
                    std::string(text);
  std::string hint = "allowed range: " + shortest(f.min) + " to " + shortest(f.max);
  if (!f.unit.empty()) hint += " " + std::string(f.unit);
  throw InputError(where, std::string(f.path), std::move(msg), std::move(hint));
}

FieldValue parse_int(const Field& f, const YAML::Node& node, const SourcePos& where) {
  const std::string& text = node.Scalar();
  std::int64_t i = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
  if (ec == std::errc() && end == text.data() + text.size()) {
    check_range(f, static_cast<double>(i), text, where);
    return i;
  }
  // 1e3 and 2048.0 are whole numbers too; 1e30 and 99999999999999999999 then fail the range check.
  const auto r = parse_real(text);
  if (!r || std::trunc(*r) != *r) type_error(f, node, where);
  check_range(f, *r, text, where);
  return static_cast<std::int64_t>(*r);
}

FieldValue parse_seed(const Field& f, const YAML::Node& node, const SourcePos& where) {
  const std::string& text = node.Scalar();
  std::uint64_t u = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), u);
  if (ec == std::errc::result_out_of_range) check_range(f, HUGE_VAL, text, where);
  if (ec != std::errc() || end != text.data() + text.size()) type_error(f, node, where);
  return u;
}

// Names end up in JSON and HTML reports; a byte sequence that is not UTF-8 made the JSON writer fail
// after the whole run had been simulated. Checks the encoding (no overlongs, no surrogates, <= U+10FFFF).
std::size_t invalid_utf8_at(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07u;
    } else {
      return i;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return i;
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0u) != 0x80u) return i;
      cp = (cp << 6) | (d & 0x3Fu);
    }
    const bool overlong = (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000);
    if (overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return i;
    i += n + 1;
  }
  return std::string_view::npos;
}

FieldValue parse_choice(const Field& f, const YAML::Node& node, const SourcePos& where) {
  const auto names = f.choices();
  const std::string want = lower(node.Scalar());
  for (const auto& n : names)
    if (lower(n) == want) return n;
  // training.recompute was a bool before it named Megatron's modes: say what the old values mean.
  if (f.path == "training.recompute" && (want == "true" || want == "false"))
    throw InputError(where, std::string(f.path), "training.recompute is a mode now, not a bool",
                     want == "true" ? "true meant DeepSeek-V3's recompute: write partial (or selective / full "
                                      "for Megatron's modes)"
                                    : "false is none");
  throw InputError(where, std::string(f.path), "unknown value '" + node.Scalar() + "'",
                   suggestion_hint(node.Scalar(), names));
}

}  // namespace

std::optional<double> parse_count(std::string_view text) {
  static constexpr std::array<std::pair<char, double>, 6> kSuffix = {
      {{'K', 1e3}, {'M', 1e6}, {'B', 1e9}, {'G', 1e9}, {'T', 1e12}, {'P', 1e15}}};
  double scale = 1;
  if (!text.empty()) {
    const char last = static_cast<char>(std::toupper(static_cast<unsigned char>(text.back())));
    for (const auto& [c, k] : kSuffix)
      if (c == last) {
        scale = k;
        text.remove_suffix(1);
      }
  }
  const auto v = parse_real(text);
  if (!v) return std::nullopt;
  // Counts are whole: rounding makes "14.8T" exactly 14,800,000,000,000 despite 14.8's binary error.
  return std::round(*v * scale);
}

FieldValue parse_field_value(const Field& f, const YAML::Node& node, const SourcePos& where) {
  if (f.kind == FieldKind::kText && node.IsNull()) return std::string();
  if (!node.IsScalar()) type_error(f, node, where);
  const std::string& text = node.Scalar();
  switch (f.kind) {
    case FieldKind::kInt:
      return parse_int(f, node, where);
    case FieldKind::kSeed:
      return parse_seed(f, node, where);
    case FieldKind::kCount: {
      const auto v = parse_count(text);
      if (!v) type_error(f, node, where, "suffixes K, M, B (or G), T, P are powers of 1000");
      check_range(f, *v, text, where);
      return *v;
    }
    case FieldKind::kReal: {
      const auto v = parse_real(text);
      if (!v) type_error(f, node, where);
      check_range(f, *v, text, where);
      return *v;
    }
    case FieldKind::kBool: {
      const std::string t = lower(text);
      if (t == "true") return true;
      if (t == "false") return false;
      type_error(f, node, where);
    }
    case FieldKind::kText:
      if (const std::size_t bad = invalid_utf8_at(text); bad != std::string_view::npos)
        throw InputError(where, std::string(f.path), "not valid UTF-8 text (byte " + std::to_string(bad + 1) + ")",
                         "save the file as UTF-8");
      return text;
    case FieldKind::kChoice:
      return parse_choice(f, node, where);
  }
  type_error(f, node, where);
}

std::string shortest(double v) {
  std::array<char, 64> buf{};
  const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return std::string(buf.data(), res.ptr);
}

std::string count_text(double v) {
  // Prefer "14.8T" when it reads back exactly: files stay readable after a round trip.
  for (const auto& [suffix, k] : {std::pair{"T", 1e12}, std::pair{"B", 1e9}, std::pair{"M", 1e6}}) {
    if (v < k) continue;
    const std::string s = shortest(v / k) + suffix;
    if (parse_count(s) == v) return s;
  }
  return shortest(v);
}

std::string format_field_value(const Field& f, const FieldValue& v) {
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* u = std::get_if<std::uint64_t>(&v)) return std::to_string(*u);
  if (const auto* d = std::get_if<double>(&v)) return f.kind == FieldKind::kCount ? count_text(*d) : shortest(*d);
  std::string out = "\"";
  for (const char c : std::get<std::string>(v)) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace deepsim

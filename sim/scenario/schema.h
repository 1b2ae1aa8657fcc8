// The scenario schema (v1) as a table: one Field per YAML key, with its type, range, unit, default, doc
// and how it reads and writes the Scenario. The loader, the resolved-YAML writer, the `--set` checker and
// the docs table in docs/scenario.md are all driven by this one table, so a later section (moe, forecast,
// failures, cost) is added by appending Fields, not by writing parser code.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/scenario/scenario.h"

namespace deepsim {

enum class FieldKind {
  kInt,     // integer, stored as int (or double); also accepts 1e3-style integral numbers
  kCount,   // non-negative count stored as double; accepts SI suffixes K, M, B (or G), T, P: "14.8T"
  kReal,    // finite real number
  kSeed,    // unsigned 64-bit integer
  kBool,    // true / false
  kText,    // free text; null reads as ""
  kChoice,  // one name out of Field::choices() (enum values, catalog entries); case-insensitive
};

enum class Need {
  kOptional,      // absent: the default stays
  kRequired,      // absent: an error
  kUnlessPreset,  // required when model.preset is absent (a model spelled out in full)
};

// What a parsed scalar holds, by kind: kInt -> int64, kSeed -> uint64, kCount/kReal -> double,
// kBool -> bool, kText/kChoice -> string (for kChoice, the catalog's own spelling).
using FieldValue = std::variant<bool, std::int64_t, std::uint64_t, double, std::string>;

struct Field {
  std::string_view path;  // dotted key path, e.g. "parallel.pp"; sections are the path prefixes
  FieldKind kind = FieldKind::kInt;
  Need need = Need::kOptional;
  double min = 0;  // inclusive range for the numeric kinds
  double max = 0;
  std::string_view unit;         // as the user writes it: "GB/s", "us", "sequences"; "" for plain counts
  std::string_view default_doc;  // docs' default column; "" means: the value in a default Scenario
  std::string_view doc;          // one line for docs/scenario.md
  std::string_view fallback;     // YAML text applied when the key is absent ("cx7-ib-400g"); "" for none
  std::vector<std::string> (*choices)() = nullptr;  // kChoice only
  void (*set)(Scenario&, const FieldValue&) = nullptr;
  // Value for to_yaml and the docs' default column; nullopt for input-only keys (model.preset).
  std::optional<FieldValue> (*get)(const Scenario&) = nullptr;
};

// The whole table, in the order keys are applied and written: a section's keys are contiguous, and a key
// that replaces a whole struct (cluster.gpu, model.preset) comes before the keys that refine it.
[[nodiscard]] std::span<const Field> scenario_schema();
[[nodiscard]] const Field* find_field(std::string_view path);
// The keys allowed directly under `section` ("" is the top level), in schema order.
[[nodiscard]] std::vector<std::string> child_keys(std::string_view section);
// True when `path` is a section (a strict prefix of some field path), e.g. "cluster.topology".
[[nodiscard]] bool is_section(std::string_view path);

// "a positive integer", "a number between 0 and 1", ...: how type errors describe what was expected.
[[nodiscard]] std::string expected_text(const Field& f);
// The docs' default column for one field.
[[nodiscard]] std::string default_text(const Field& f);
// The markdown key table that docs/scenario.md carries (a test checks every row is there verbatim).
[[nodiscard]] std::string schema_markdown();

// The sections' field lists, one file each (schema_*.cpp); scenario_schema() concatenates them.
void add_top_fields(std::vector<Field>& out);
void add_cluster_fields(std::vector<Field>& out);
void add_model_fields(std::vector<Field>& out);
void add_run_fields(std::vector<Field>& out);  // parallel, training, pricing, calibration
void add_pricing_fields(std::vector<Field>& out);   // ownership prices, inside pricing (schema_forecast.cpp)
void add_forecast_fields(std::vector<Field>& out);     // context_extension, post_training, failures, forecast
void add_moe_routing_fields(std::vector<Field>& out);  // moe: routing skew and balancing (schema_moe.cpp)
void add_serving_fields(std::vector<Field>& out);      // serving: workload, prefill/decode units (schema_serving.cpp)
void add_reference_fields(std::vector<Field>& out);    // reference: published or measured figures

}  // namespace deepsim

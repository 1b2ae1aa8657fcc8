// Schema rows for the `reference:` section: published or measured figures the reports show beside the
// prediction, each with its source (run_spec.h ReferenceSpec; docs/scenario.md, docs/validation.md).
// An absent section writes nothing to the resolved YAML (its keys read back as not given), so scenarios
// without one keep their input hash.
#include "sim/scenario/schema_builders.h"

namespace deepsim {
namespace {

using namespace schema_detail;
using R = ReferenceSpec;

std::vector<std::string> kind_names() { return {"published", "measured"}; }

// A reference figure: written only when given (the range starts above 0, so 0 is never read as "not given").
template <double R::*M>
Field figure(std::string_view path, double min, double max, Doc d) {
  Field f = make_field(path, FieldKind::kReal, min, max, d);
  f.set = [](Scenario& s, const FieldValue& v) { s.reference.*M = std::get<double>(v); };
  f.get = [](const Scenario& s) -> std::optional<FieldValue> {
    if (s.reference.*M <= 0) return std::nullopt;
    return s.reference.*M;
  };
  return f;
}

// A figure's source: written only when given.
template <std::string R::*M>
Field source(std::string_view path, Doc d) {
  Field f = make_field(path, FieldKind::kText, 0, 0, d);
  f.set = [](Scenario& s, const FieldValue& v) { s.reference.*M = std::get<std::string>(v); };
  f.get = [](const Scenario& s) -> std::optional<FieldValue> {
    if ((s.reference.*M).empty()) return std::nullopt;
    return s.reference.*M;
  };
  return f;
}

Field kind_field() {
  Field f = make_field("reference.kind", FieldKind::kChoice, 0, 0,
                       {"", "published (a paper, a vendor's figure) or measured (a run of your own)", Need::kOptional,
                        "published"});
  f.choices = kind_names;
  f.set = [](Scenario& s, const FieldValue& v) { s.reference.kind = std::get<std::string>(v); };
  f.get = [](const Scenario& s) -> std::optional<FieldValue> {
    if (!s.reference.given()) return std::nullopt;
    return s.reference.kind;
  };
  return f;
}

}  // namespace

void add_reference_fields(std::vector<Field>& out) {
  out.push_back(kind_field());
  out.push_back(figure<&R::step_time_s>("reference.step_time_s", 1e-6, 1e7,
                                        {"s", "reference time of one training step (the configured step)",
                                         Need::kOptional, "none"}));
  out.push_back(source<&R::step_time_source>("reference.step_time_source",
                                             {"", "where reference.step_time_s comes from (required with it)",
                                              Need::kOptional, "none"}));
  out.push_back(figure<&R::gpu_hours>("reference.gpu_hours", 1e-6, 1e13,
                                      {"GPU-hours", "reference GPU-hours of the whole run (all phases)",
                                       Need::kOptional, "none"}));
  out.push_back(source<&R::gpu_hours_source>("reference.gpu_hours_source",
                                             {"", "where reference.gpu_hours comes from (required with it)",
                                              Need::kOptional, "none"}));
  out.push_back(figure<&R::cost_usd>("reference.cost_usd", 1e-6, 1e13,
                                     {"USD", "reference cost of the whole run, compared with the headline cost",
                                      Need::kOptional, "none"}));
  out.push_back(source<&R::cost_source>("reference.cost_source",
                                        {"", "where reference.cost_usd comes from (required with it)",
                                         Need::kOptional, "none"}));
}

}  // namespace deepsim

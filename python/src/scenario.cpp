#include "scenario.h"

#include <pybind11/stl.h>

#include "sim/api/fields.h"
#include "sim/core/error.h"
#include "sim/forecast/preflight.h"

namespace deepsim::py {
namespace pb = pybind11;

std::string yaml_scalar(const pb::handle& value) {
  if (pb::isinstance<pb::bool_>(value)) return value.cast<bool>() ? "true" : "false";
  if (pb::isinstance<pb::str>(value)) return value.cast<std::string>();
  if (pb::isinstance<pb::int_>(value) || pb::isinstance<pb::float_>(value)) return pb::str(pb::repr(value));
  throw InputError({"overrides", 0, 0}, "", "an override value must be a str, int, float or bool, not " +
                                                pb::str(value.get_type().attr("__name__")).cast<std::string>(),
                   "pass scalars, e.g. {\"cluster.nodes\": 128}");
}

PyScenario load_doc(api::ScenarioDoc doc, const pb::object& overrides) {
  if (!overrides.is_none()) {
    if (!pb::isinstance<pb::dict>(overrides))
      throw InputError({"overrides", 0, 0}, "", "overrides must be a dict of key path to value",
                       "e.g. {\"cluster.nodes\": 128, \"parallel.schedule\": \"zb1p\"}");
    for (const auto& [k, v] : overrides.cast<pb::dict>()) api::set_override(doc, pb::str(k), yaml_scalar(v));
  }
  Scenario s = api::load(doc);
  return PyScenario{std::move(doc), std::move(s)};
}

namespace {

pb::dict overrides_dict(const api::ScenarioDoc& doc) {
  pb::dict d;
  for (const std::string& o : doc.overrides) {
    const auto eq = o.find('=');
    d[pb::str(o.substr(0, eq))] = o.substr(eq + 1);
  }
  return d;
}

pb::list field_rows(const std::string& section) {
  static constexpr const char* kTypes[] = {"integer", "count", "real", "seed", "bool", "text", "choice"};
  pb::list rows;
  for (const api::FieldInfo& f : api::fields_under(section)) {
    pb::dict r;
    r["path"] = f.path;
    r["type"] = kTypes[static_cast<int>(f.type)];
    r["min"] = f.min;
    r["max"] = f.max;
    r["unit"] = f.unit;
    r["doc"] = f.doc;
    r["expected"] = f.expected;
    r["choices"] = f.choices;
    rows.append(r);
  }
  return rows;
}

}  // namespace

void bind_scenario(pb::module_& m) {
  pb::class_<PyScenario>(m, "Scenario",
                         "A validated scenario and the text it was loaded from. Make one with deepsim.load(path) or "
                         "deepsim.loads(text); change it with with_overrides().")
      .def_property_readonly("name", [](const PyScenario& s) { return s.scenario.name; })
      .def_property_readonly("path", [](const PyScenario& s) { return s.doc.display_name; },
                             "the file name errors cite")
      .def_property_readonly("yaml", [](const PyScenario& s) { return s.doc.yaml; }, "the text as written")
      .def_property_readonly("gpus", [](const PyScenario& s) { return s.scenario.cluster.total_gpus(); })
      .def_property_readonly("gpu", [](const PyScenario& s) { return s.scenario.cluster.gpu.name; })
      .def_property_readonly("overrides", [](const PyScenario& s) { return overrides_dict(s.doc); },
                             "the key path -> value overrides applied after the text, as a new dict")
      .def("get",
           [](const PyScenario& s, const std::string& key) -> pb::object {
             if (!api::field_info(key))
               throw InputError({s.doc.display_name, 0, 0}, key, "unknown scenario key '" + key + "'",
                                "deepsim.fields() lists the keys");
             const auto v = api::field_value(s.scenario, key);
             if (!v) return pb::none();
             return pb::str(*v);
           },
           pb::arg("key"), "the resolved value of a key as YAML text ('256', 'H800', '14.8T'); None for input-only keys")
      .def("with_overrides",
           [](const PyScenario& s, const pb::object& overrides) { return load_doc(s.doc, overrides); },
           pb::arg("overrides"),
           "a new Scenario: this one's text and overrides with `overrides` (a dict) set on top; an empty string "
           "value removes a key's override. Raises InputError.")
      .def("validate",
           [](const PyScenario& s) {
             preflight(s.scenario);
             return true;
           },
           "the checks `deepsim validate` runs beyond loading (placement, schedule, profile, phases); raises "
           "InputError, else returns True")
      .def("resolved_yaml", [](const PyScenario& s) { return api::merged_yaml(s.doc); },
           "the text with the overrides merged in (comments are not kept), for saving an edited scenario")
      .def("__repr__", [](const PyScenario& s) {
        return "<deepsim.Scenario '" + s.scenario.name + "' from " + s.doc.display_name + ", " +
               std::to_string(s.doc.overrides.size()) + " overrides>";
      });

  m.def("load",
        [](const std::string& path, const pb::object& overrides) {
          return load_doc(api::read_scenario_doc(path), overrides);
        },
        pb::arg("path"), pb::arg("overrides") = pb::none(),
        "Load and validate a scenario file, with optional overrides (a dict of key path -> value, like the CLI's "
        "--set). Raises deepsim.InputError naming file:line:key.");
  m.def("loads",
        [](const std::string& text, const std::string& name, const pb::object& overrides) {
          return load_doc(api::ScenarioDoc{text, name, {}}, overrides);
        },
        pb::arg("text"), pb::arg("name") = "<string>", pb::arg("overrides") = pb::none(),
        "Load and validate scenario YAML text; `name` is the file name errors cite.");
  m.def("fields", &field_rows, pb::arg("section") = "",
        "The scenario keys under `section` ('' for all, 'cluster', 'model.moe', ...) as rows: path, type, min, "
        "max, unit, doc, expected, choices (the schema the loader checks, docs/scenario.md).");
}

}  // namespace deepsim::py

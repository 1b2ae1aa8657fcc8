#include "convert.h"

#include "sim/step/step_result.h"

namespace deepsim::py {
namespace {

// Keys of a Headline in the order its struct declares them; the sweep rows use the same list so that a
// point's figures and a run's headline read alike.
template <class Fn>
void headline_fields(const api::Headline& h, Fn&& put) {
  put("scenario", pb::str(h.scenario));
  put("gpus", pb::int_(h.gpus));
  put("gpu", pb::str(h.gpu));
  put("gpu_hours", pb::float_(h.gpu_hours));
  put("compute_gpu_hours", pb::float_(h.compute_gpu_hours));
  put("days", pb::float_(h.days));
  put("rental_usd", pb::float_(h.rental_usd));
  put("ownership_usd", pb::float_(h.ownership_usd));
  put("cost_basis", pb::str(h.cost_basis));
  put("usd_per_million_tokens", pb::float_(h.usd_per_million_tokens));
  put("mfu_bf16_causal", pb::float_(h.mfu_bf16_causal));
  put("mfu_fp8_causal", pb::float_(h.mfu_fp8_causal));
  put("tokens_per_s", pb::float_(h.tokens_per_s));
  put("tflops_per_gpu_causal", pb::float_(h.tflops_per_gpu_causal));
  put("step_s", pb::float_(h.step_s));
  put("bubble_s", pb::float_(h.bubble_s));
  put("exposed_comm_s", pb::float_(h.exposed_comm_s));
  put("compute_busy_s", pb::float_(h.compute_busy_s));
  put("step_lower_bound_s", pb::float_(h.step_lower_bound_s));
  put("memory_fits", pb::bool_(h.memory_fits));
}

pb::list notes_of(const std::vector<std::string>& notes) {
  pb::list out;
  for (const auto& n : notes) out.append(n);
  return out;
}

pb::list links_of(const std::vector<LinkClassUse>& links) {
  pb::list out;
  for (const LinkClassUse& l : links) {
    pb::dict d;
    d["link_class"] = to_string(l.cls);
    d["links"] = l.links;
    d["bytes"] = l.bytes;
    d["mean_utilisation"] = l.mean_utilisation;
    d["max_utilisation"] = l.max_utilisation;
    out.append(d);
  }
  return out;
}

}  // namespace

pb::dict to_dict(const api::Headline& h) {
  pb::dict d;
  headline_fields(h, [&](const char* k, pb::object v) { d[k] = std::move(v); });
  return d;
}

pb::dict to_dict(const api::RunSummary& s) {
  pb::dict d;
  d["headline"] = to_dict(s.headline);
  pb::list memory;
  for (const api::StageMemoryRow& m : s.memory) {
    pb::dict r;
    r["stage"] = m.stage;
    r["layers"] = m.layers;
    r["weights_gb"] = m.weights_gb;
    r["master_weights_gb"] = m.master_weights_gb;
    r["gradients_gb"] = m.gradients_gb;
    r["optimizer_gb"] = m.optimizer_gb;
    r["activations_gb"] = m.activations_gb;
    r["total_gb"] = m.total_gb;
    r["hbm_gb"] = m.hbm_gb;
    r["fits"] = m.fits();
    memory.append(r);
  }
  d["memory"] = memory;
  pb::list phases;
  for (const api::PhaseRow& p : s.phases) {
    pb::dict r;
    r["key"] = p.key;
    r["title"] = p.title;
    r["gpus"] = p.gpus;
    r["steps"] = p.steps;
    r["tokens"] = p.tokens;
    r["days"] = p.days;
    r["gpu_hours"] = p.gpu_hours;
    r["compute_gpu_hours"] = p.compute_gpu_hours;
    r["rental_usd"] = p.rental_usd;
    r["ownership_usd"] = p.ownership_usd;
    r["usd"] = p.usd;
    phases.append(r);
  }
  d["phases"] = phases;
  pb::list links;
  for (const api::LinkRow& l : s.links) {
    pb::dict r;
    r["link_class"] = l.link_class;
    r["links"] = l.links;
    r["bytes"] = l.bytes;
    r["mean_utilisation"] = l.mean_utilisation;
    r["max_utilisation"] = l.max_utilisation;
    links.append(r);
  }
  d["links"] = links;
  pb::list ranks;
  for (const api::RankRow& rr : s.ranks) {
    pb::dict r;
    r["rank"] = rr.rank;
    r["gpu"] = rr.gpu;
    r["busy_s"] = rr.busy_s;
    r["exposed_comm_s"] = rr.exposed_comm_s;
    r["bubble_s"] = rr.bubble_s;
    r["peak_memory_gb"] = rr.peak_memory_gb;
    ranks.append(r);
  }
  d["ranks"] = ranks;
  pb::list reference;
  for (const ReferenceRow& rr : s.reference) {
    pb::dict r;
    r["key"] = rr.key;
    r["quantity"] = rr.quantity;
    r["unit"] = rr.unit;
    r["predicted"] = rr.predicted;
    r["reference"] = rr.reference;
    r["error_pct"] = rr.error_pct();
    r["source"] = rr.source;
    reference.append(r);
  }
  d["reference"] = reference;
  d["notes"] = notes_of(s.notes);
  return d;
}

pb::dict to_dict(const StepSimulation& sim) {
  const StepResult& st = sim.result;
  pb::dict d;
  d["step_s"] = st.step.seconds();
  d["bubble_s"] = st.bubble.seconds();
  d["exposed_comm_s"] = st.exposed_comm.seconds();
  d["exposed_dp_s"] = st.exposed_dp.seconds();  // part of exposed_comm_s (result.json's step.exposed_dp_s)
  d["compute_busy_s"] = st.compute_busy.seconds();
  d["step_lower_bound_s"] = sim.analysis.step_lower_bound().seconds();
  d["kernel_model"] = st.kernel_model;
  d["fidelity"] = st.fidelity;
  d["tasks"] = st.tasks;
  pb::list ranks;
  for (const RankResult& rr : st.ranks) {
    pb::dict r;
    r["rank"] = rr.rank;
    r["gpu"] = rr.gpu;
    r["busy_s"] = rr.busy.seconds();
    r["idle_s"] = rr.idle.seconds();
    r["exposed_comm_s"] = rr.exposed_comm.seconds();
    r["exposed_dp_s"] = rr.exposed_dp.seconds();
    r["bubble_s"] = rr.bubble.seconds();
    r["peak_memory_gb"] = rr.peak_memory.gb();
    r["activation_peak_gb"] = rr.activation_peak.gb();
    // One column per step category ("attention_s", "dispatch_s", ...): a rectangular table.
    for (std::size_t c = 0; c < kStepCategoryCount; ++c)
      r[pb::str(std::string(to_string(static_cast<StepCategory>(c))) + "_s")] = rr.by_category[c].seconds();
    ranks.append(r);
  }
  d["ranks"] = ranks;
  d["links"] = links_of(st.links);
  d["notes"] = notes_of(st.notes);
  return d;
}

pb::dict to_dict(const api::SweepPoint& p, const api::SweepSpec& spec) {
  pb::dict d;
  d["index"] = p.index;
  d["label"] = p.label;
  for (std::size_t a = 0; a < spec.axes.size() && a < p.position.size(); ++a)
    d[pb::str(spec.axes[a].key)] = spec.axes[a].values[p.position[a]];
  d["ran"] = p.ran();
  d["feasible"] = p.feasible();
  d["error"] = p.error.empty() ? pb::object(pb::none()) : pb::object(pb::str(p.error));
  // Every row has every key; a point that did not run has None in the figures.
  headline_fields(p.headline.value_or(api::Headline{}), [&](const char* k, pb::object v) {
    d[k] = p.ran() ? std::move(v) : pb::object(pb::none());
  });
  return d;
}

pb::object to_python(const nlohmann::ordered_json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      pb::dict d;
      for (const auto& [k, v] : j.items()) d[pb::str(k)] = to_python(v);
      return d;
    }
    case nlohmann::json::value_t::array: {
      pb::list l;
      for (const auto& v : j) l.append(to_python(v));
      return l;
    }
    case nlohmann::json::value_t::string:
      return pb::str(j.get<std::string>());
    case nlohmann::json::value_t::boolean:
      return pb::bool_(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return pb::int_(j.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned:
      return pb::int_(j.get<std::uint64_t>());
    case nlohmann::json::value_t::number_float:
      return pb::float_(j.get<double>());
    default:
      return pb::none();
  }
}

}  // namespace deepsim::py

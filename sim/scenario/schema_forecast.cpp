// Schema rows for the whole-run sections: the ownership prices under `pricing:` (inserted right after
// pricing.usd_per_gpu_hour so the section stays contiguous), and the top-level `context_extension`,
// `post_training`, `failures` and `forecast` sections (run_spec.h; docs/forecast.md, docs/cost.md).
#include "sim/scenario/schema_builders.h"

namespace deepsim {
namespace {

using namespace schema_detail;

std::vector<std::string> basis_names() { return {"rental", "ownership"}; }

Field basis_field() {
  Field f = make_field("pricing.basis", FieldKind::kChoice, 0, 0,
                       {"", "which total is the run's cost: rental (GPU-hours x price) or ownership (capex + power)"});
  f.choices = basis_names;
  f.set = [](Scenario& s, const FieldValue& v) { s.ownership.basis = std::get<std::string>(v); };
  f.get = [](const Scenario& s) -> std::optional<FieldValue> { return s.ownership.basis; };
  return f;
}

// The five keys of one phase; Section is the member path to its PhaseSpec.
template <auto Section, auto Phase>
void add_phase(std::vector<Field>& out, std::string_view prefix_steps, std::string_view prefix_tokens,
               std::string_view prefix_seq, std::string_view prefix_batch, std::string_view prefix_plan) {
  out.push_back(int_field<Section, Phase, &PhaseSpec::steps>(
      prefix_steps, 0, 1e9, {"steps", "steps to run; 0 with tokens 0 leaves the phase out"}));
  out.push_back(real_field<Section, Phase, &PhaseSpec::tokens>(
      prefix_tokens, FieldKind::kCount, 0, 1e18, {"tokens", "tokens to train on instead of steps (not both)"}));
  out.push_back(int_field<Section, Phase, &PhaseSpec::seq_len>(
      prefix_seq, 0, 1 << 24, {"tokens", "tokens per sequence; 0: training.seq_len"}));
  out.push_back(int_field<Section, Phase, &PhaseSpec::global_batch>(
      prefix_batch, 0, 1 << 26, {"sequences", "sequences per step; 0: training.global_batch"}));
  out.push_back(text_field<Section, Phase, &PhaseSpec::plan>(
      prefix_plan, {"", "overrides for this phase only, 'key.path=value' separated by ';' (its own plan)"}));
}

}  // namespace

void add_pricing_fields(std::vector<Field>& out) {
  using O = OwnershipPrices;
  constexpr auto kO = &Scenario::ownership;
  out.push_back(basis_field());
  out.push_back(real_field<kO, &O::gpu_usd>("pricing.gpu_usd", FieldKind::kReal, 0, 1e8, {"USD", "price of one GPU"}));
  out.push_back(real_field<kO, &O::server_usd>("pricing.server_usd", FieldKind::kReal, 0, 1e8,
                                               {"USD", "one node without its GPUs and scale-out NICs"}));
  out.push_back(real_field<kO, &O::nic_usd>("pricing.nic_usd", FieldKind::kReal, 0, 1e8, {"USD", "one scale-out NIC"}));
  out.push_back(real_field<kO, &O::switch_usd>("pricing.switch_usd", FieldKind::kReal, 0, 1e8,
                                               {"USD", "one scale-out switch"}));
  out.push_back(real_field<kO, &O::transceiver_usd>("pricing.transceiver_usd", FieldKind::kReal, 0, 1e8,
                                                    {"USD", "one optical transceiver"}));
  out.push_back(
      real_field<kO, &O::cable_usd>("pricing.cable_usd", FieldKind::kReal, 0, 1e8, {"USD", "one optical cable"}));
  out.push_back(real_field<kO, &O::amortisation_years>("pricing.amortisation_years", FieldKind::kReal, 0.01, 100,
                                                       {"years", "service life over which capex is spread"}));
  out.push_back(real_field<kO, &O::usd_per_kwh>("pricing.usd_per_kwh", FieldKind::kReal, 0, 100,
                                                {"USD", "price of one kWh of facility power"}));
  out.push_back(real_field<kO, &O::pue>("pricing.pue", FieldKind::kReal, 1, 10,
                                        {"ratio", "power usage effectiveness: facility power / IT power"}));
  out.push_back(real_field<kO, &O::gpu_power_fraction>("pricing.gpu_power_fraction", FieldKind::kReal, 0, 2,
                                                       {"fraction", "average GPU draw while training / TDP"}));
  out.push_back(real_field<kO, &O::node_overhead_w>("pricing.node_overhead_w", FieldKind::kReal, 0, 1e6,
                                                    {"W", "power of one node besides its GPUs"}));
  out.push_back(real_field<kO, &O::switch_w>("pricing.switch_w", FieldKind::kReal, 0, 1e6,
                                             {"W", "power of one switch with its optics"}));
}

void add_forecast_fields(std::vector<Field>& out) {
  using C = ContextExtensionSpec;
  using P = PostTrainingSpec;
  add_phase<&Scenario::context_extension, &C::stage1>(
      out, "context_extension.stage1.steps", "context_extension.stage1.tokens", "context_extension.stage1.seq_len",
      "context_extension.stage1.global_batch", "context_extension.stage1.plan");
  add_phase<&Scenario::context_extension, &C::stage2>(
      out, "context_extension.stage2.steps", "context_extension.stage2.tokens", "context_extension.stage2.seq_len",
      "context_extension.stage2.global_batch", "context_extension.stage2.plan");
  add_phase<&Scenario::post_training, &P::sft>(out, "post_training.sft.steps", "post_training.sft.tokens",
                                               "post_training.sft.seq_len", "post_training.sft.global_batch",
                                               "post_training.sft.plan");
  add_phase<&Scenario::post_training, &P::rl>(out, "post_training.rl.steps", "post_training.rl.tokens",
                                              "post_training.rl.seq_len", "post_training.rl.global_batch",
                                              "post_training.rl.plan");

  using F = FailureSpec;
  constexpr auto kF = &Scenario::failures;
  out.push_back(real_field<kF, &F::gpu_mtbf_hours>("failures.gpu_mtbf_hours", FieldKind::kReal, 0, 1e9,
                                                   {"h", "mean time between failures of one GPU; 0: never fails"}));
  out.push_back(real_field<kF, &F::node_mtbf_hours>(
      "failures.node_mtbf_hours", FieldKind::kReal, 0, 1e9,
      {"h", "mean time between failures of one node's other parts; 0: never fails"}));
  out.push_back(real_field<kF, &F::checkpoint_interval_min>("failures.checkpoint_interval_min", FieldKind::kReal,
                                                            0.01, 1e7, {"min", "training time between checkpoints"}));
  out.push_back(real_field<kF, &F::checkpoint_write_s>("failures.checkpoint_write_s", FieldKind::kReal, 0, 1e7,
                                                       {"s", "training stall to write one checkpoint"}));
  out.push_back(real_field<kF, &F::restart_min>("failures.restart_min", FieldKind::kReal, 0, 1e7,
                                                {"min", "time from a failure until training resumes"}));

  out.push_back(int_field<&Scenario::forecast, &ForecastSpec::ramp_levels>(
      "forecast.ramp_levels", 1, 4096,
      {"", "distinct batch sizes the batch ramp is cut into (equal token intervals), each simulated once"}));
}

}  // namespace deepsim

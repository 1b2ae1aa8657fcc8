// Schema rows for the top level and the run sections: parallel, training, pricing, calibration.
#include "sim/scenario/schema_builders.h"

namespace deepsim {
namespace {

using namespace schema_detail;

std::vector<std::string> schedule_names() {
  return {"gpipe", "1f1b", "interleaved-1f1b", "zb1p", "dualpipe", "dualpipev"};
}
std::vector<std::string> tp_overlap_names() { return {"none", "async-grad", "userbuffers"}; }  // TpCommOverlap order
std::vector<std::string> deepep_mode_names() { return {"normal", "low-latency"}; }  // DeepEpMode order
std::vector<std::string> precision_names() { return {"fp8", "bf16"}; }
std::vector<std::string> fidelity_names() { return {"representative", "full"}; }
std::vector<std::string> recompute_names() {
  std::vector<std::string> names;
  for (const std::string_view n : recompute_mode_names()) names.emplace_back(n);
  return names;
}
std::vector<std::string> network_names() { return {"analytic", "flow"}; }  // NetworkModel order

Field fidelity_field() {
  Field f = make_field("simulation.fidelity", FieldKind::kChoice, 0, 0,
                       {"", "representative: one pipeline (DP rank 0), exact under identical replicas; full: every "
                            "DP replica, EP all-to-alls as barriers over their member replicas (docs/pipeline.md)"});
  f.choices = fidelity_names;
  f.set = [](Scenario& s, const FieldValue& v) { s.simulation.fidelity = std::get<std::string>(v); };
  f.get = [](const Scenario& s) -> std::optional<FieldValue> { return s.simulation.fidelity; };
  return f;
}

Field seed_field() {
  Field f = make_field("seed", FieldKind::kSeed, 0, 18446744073709551615.0,
                       {"", "seed of every random stream (routing draws, failures); same seed, same output"});
  f.set = [](Scenario& s, const FieldValue& v) { s.seed = std::get<std::uint64_t>(v); };
  f.get = [](const Scenario& s) -> std::optional<FieldValue> { return s.seed; };
  return f;
}

Field precision_field() {
  Field f = make_field(
      "training.precision", FieldKind::kChoice, 0, 0,
      {"", "GEMM precision: fp8 is the DeepSeek-V3 recipe (1x128 / 128x128 scaled E4M3), bf16 the baseline"});
  f.choices = precision_names;
  f.set = [](Scenario& s, const FieldValue& v) { s.training.precision = std::get<std::string>(v); };
  f.get = [](const Scenario& s) -> std::optional<FieldValue> { return s.training.precision; };
  return f;
}

}  // namespace

const char* to_string(NetworkModel m) { return m == NetworkModel::kFlow ? "flow" : "analytic"; }

void add_top_fields(std::vector<Field>& out) {
  out.push_back(int_field<&Scenario::schema>(
      "schema", 1, 1, {"", "schema version of the file; this deepsim reads version 1", Need::kRequired}));
  out.push_back(text_field<&Scenario::name>(
      "name", {"", "label used in reports", Need::kOptional, "the file name without .yaml"}));
  out.push_back(seed_field());
}

void add_run_fields(std::vector<Field>& out) {
  constexpr double kMaxRanks = 1 << 20;  // a million GPUs: anything beyond is a typo
  using P = ParallelSpec;
  out.push_back(int_field<&Scenario::parallel, &P::pp>("parallel.pp", 1, 4096, {"", "pipeline-parallel stages"}));
  out.push_back(int_field<&Scenario::parallel, &P::dp>("parallel.dp", 1, kMaxRanks, {"", "data-parallel replicas"}));
  out.push_back(int_field<&Scenario::parallel, &P::tp>("parallel.tp", 1, 1024, {"", "tensor-parallel ranks"}));
  out.push_back(int_field<&Scenario::parallel, &P::cp>(
      "parallel.cp", 1, 128,
      {"", "context-parallel ranks (Megatron-CP ring attention): each sequence split over cp GPUs, chunks i and "
           "2cp-1-i of 2cp on rank i; seq_len a multiple of 2 x cp, flash attention, tp x cp dividing or a multiple "
           "of gpus_per_node (docs/pipeline.md)"}));
  out.push_back(int_field<&Scenario::parallel, &P::ep>(
      "parallel.ep", 1, kMaxRanks, {"", "expert-parallel ranks, drawn from the dp x tp x cp ranks of one stage"}));
  out.push_back(int_field<&Scenario::parallel, &P::expert_tp>(
      "parallel.expert_tp", 1, 1024,
      {"", "expert tensor parallelism (Megatron-core expert_tensor_parallel_size): each routed expert split over "
           "expert_tp GPUs, which all-gather the dispatched tokens and reduce-scatter the expert outputs; expert_tp x "
           "ep divides dp x tp x cp, expert_tp divides gpus_per_node or is a multiple of it (docs/network.md)"}));
  out.push_back(int_field<&Scenario::parallel, &P::zero_stage>(
      "parallel.zero_stage", 0, 2,
      {"", "ZeRO stage: 0 replicates optimizer state, 1 shards it over dp, 2 shards the gradients too (reduce-scattered every micro-batch)"}));
  out.push_back(int_field<&Scenario::parallel, &P::micro_batch_size>("parallel.micro_batch_size", 1, 1 << 16,
                                                                     {"sequences", "sequences per micro-batch"}));
  out.push_back(int_field<&Scenario::parallel, &P::micro_batches>(
      "parallel.micro_batches", 1, 1 << 20, {"", "micro-batches per pipeline per step (gradient accumulation)"}));
  out.push_back(enum_field<schedule_names, static_cast<const char* (*)(ScheduleKind)>(to_string), &Scenario::parallel,
                           &P::schedule>(
      "parallel.schedule", {"", "pipeline schedule: gpipe, 1f1b, interleaved-1f1b, zb1p, dualpipe, dualpipev"}));
  out.push_back(int_field<&Scenario::parallel, &P::virtual_stages>(
      "parallel.virtual_stages", 1, 64, {"", "model chunks per rank; >= 2 only with interleaved-1f1b"}));
  out.push_back(int_field<&Scenario::parallel, &P::comm_sms>(
      "parallel.comm_sms", 0, 1024, {"SMs", "SMs held by communication kernels (DeepSeek-V3: 20 of 132)"}));
  out.push_back(real_field<&Scenario::parallel, &P::grad_bucket_mb>(
      "parallel.grad_bucket_mb", FieldKind::kReal, 0, 1e6,
      {"MB", "DP gradient reduce-scatter in buckets of this many MB (FP32), each sent as the last backward frees "
             "it, overlapped with the rest of the backward; 0: one sync after the last backward"}));
  out.push_back(bool_field<&Scenario::parallel, &P::overlap_param_gather>(
      "parallel.overlap_param_gather",
      {"", "ZeRO-1 parameter all-gather overlapped with the next step's forward (Megatron --overlap-param-gather), "
           "in the same buckets; false: after the optimizer, exposed"}));
  out.push_back(bool_field<&Scenario::parallel, &P::sequence_parallel>(
      "parallel.sequence_parallel",
      {"", "Megatron sequence parallelism: norms, dropouts and residual adds on seq/tp tokens (their activations / tp), "
           "each TP all-reduce of a layer a reduce-scatter + all-gather pair (docs/pipeline.md); no effect with tp = 1"}));
  out.push_back(enum_field<tp_overlap_names, static_cast<const char* (*)(TpCommOverlap)>(to_string),
                           &Scenario::parallel, &P::tp_comm_overlap>(
      "parallel.tp_comm_overlap",
      {"", "TP collectives and compute: none (blocking); async-grad (the backward's input-gradient reduction "
           "beside the weight gradient); userbuffers (Megatron --tp-comm-overlap: each attention / dense-FFN "
           "block's collectives beside the block in tp chunks, needs sequence_parallel); docs/network.md",
       Need::kOptional, "none"}));
  out.push_back(enum_field<deepep_mode_names, static_cast<const char* (*)(DeepEpMode)>(to_string),
                           &Scenario::parallel, &P::deepep_mode>(
      "parallel.deepep_mode",
      {"", "DeepEP kernels of the MoE dispatch and combine: normal (NVLink forwarding, comm_sms SMs copying every "
           "byte, a notify kernel first) or low-latency (pure RDMA, a message per token and expert, no SMs held; "
           "needs two or more nodes); docs/network.md",
       Need::kOptional, "normal"}));

  using T = TrainingSpec;
  out.push_back(real_field<&Scenario::training, &T::tokens>("training.tokens", FieldKind::kCount, 1, 1e18,
                                                            {"tokens", "tokens to train on", Need::kRequired}));
  out.push_back(
      int_field<&Scenario::training, &T::seq_len>("training.seq_len", 1, 1 << 24, {"tokens", "tokens per sequence"}));
  out.push_back(int_field<&Scenario::training, &T::global_batch>(
      "training.global_batch", 1, 1 << 26, {"sequences", "sequences per step after the ramp", Need::kRequired}));
  out.push_back(int_field<&Scenario::training, &T::ramp, &BatchRamp::start_sequences>(
      "training.ramp.start_sequences", 0, 1 << 26, {"sequences", "global batch at the first step; 0 means no ramp"}));
  out.push_back(real_field<&Scenario::training, &T::ramp, &BatchRamp::ramp_tokens>(
      "training.ramp.tokens", FieldKind::kCount, 0, 1e18,
      {"tokens", "tokens over which the batch grows linearly to global_batch"}));
  out.push_back(precision_field());
  out.push_back(enum_field<recompute_names, static_cast<const char* (*)(RecomputeMode)>(to_string),
                           &Scenario::training, &T::recompute>(
      "training.recompute",
      {"", "activation recompute: none; partial (DeepSeek-V3 TR 3.4: norms, MLA up-projections, SwiGLU); "
           "selective (Megatron: the attention core); full (Megatron: each layer's forward re-run in its backward)",
       Need::kOptional, "none"}));

  out.push_back(real_field<&Scenario::pricing, &PricingSpec::usd_per_gpu_hour>(
      "pricing.usd_per_gpu_hour", FieldKind::kReal, 0, 1e4, {"USD", "rental price of one GPU for one hour"}));
  add_pricing_fields(out);  // the ownership prices (schema_forecast.cpp), kept inside the pricing section
  out.push_back(text_field<&Scenario::calibration, &CalibrationSpec::profile>(
      "calibration.profile", {"", "name or path of a calibration profile; empty: the roofline default"}));
  out.push_back(fidelity_field());
  out.push_back(enum_field<network_names, static_cast<const char* (*)(NetworkModel)>(to_string), &Scenario::simulation,
                           &SimulationSpec::network>(
      "simulation.network",
      {"", "how communication is timed: analytic = each collective's closed form as if alone (ring, hierarchical, "
           "bottleneck all-to-all), fast; flow = every step of every collective as flows on the max-min network, so "
           "concurrent traffic contends (docs/network.md)"}));
}

}  // namespace deepsim

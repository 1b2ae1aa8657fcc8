#include "sim/serve/serving_checks.h"

#include <string>

#include "sim/core/error.h"
#include "sim/scenario/schema.h"

namespace deepsim {
namespace {

using std::to_string;

[[noreturn]] void fail(const Scenario& s, const std::string& key, const std::string& msg, const std::string& hint) {
  throw InputError(s.pos_of(key), key, msg, hint);
}

void check_unit(const Scenario& s, const std::string& unit, int ep, int tp, int redundant) {
  const ModelSpec& m = s.model;
  const std::string k = "serving." + unit + ".";
  if (m.is_moe()) {
    const int slots = m.moe.routed_experts + redundant;
    if (slots % ep != 0)
      fail(s, k + "ep",
           to_string(m.moe.routed_experts) + " routed + " + to_string(redundant) + " redundant experts = " +
               to_string(slots) + " slots do not divide over ep = " + to_string(ep),
           "choose ep dividing " + to_string(slots) + ", or change " + k + "redundant_experts");
  }
  if (ep % tp != 0)
    fail(s, k + "attention_tp", "ep = " + to_string(ep) + " GPUs do not form DP groups of attention_tp = " + to_string(tp),
         "attention_tp must divide ep");
  if (m.attention.heads % tp != 0)
    fail(s, k + "attention_tp",
         "attention_tp = " + to_string(tp) + " does not divide the " + to_string(m.attention.heads) + " attention heads",
         "use a divisor of the head count");
  if (ep > s.cluster.gpus_per_node && ep % s.cluster.gpus_per_node != 0)
    fail(s, k + "ep",
         "a unit of ep = " + to_string(ep) + " GPUs is not a whole number of " + to_string(s.cluster.gpus_per_node) +
             "-GPU nodes",
         "use a multiple of cluster.gpus_per_node");
}

}  // namespace

bool has_serving_section(const Scenario& s) {
  // A key absent from the file and from --set is blamed on the file itself (line 0); any serving key
  // with a position of its own (a line, or a --set) means the section is there.
  for (const Field& f : scenario_schema()) {
    if (!f.path.starts_with("serving.")) continue;
    const SourcePos p = s.pos_of(f.path);
    if (p.line > 0 || p.file != s.source_file) return true;
  }
  return false;
}

void require_serving_section(const Scenario& s) {
  if (s.sources && !has_serving_section(s))
    throw InputError(s.pos_of("serving"), "serving", "the scenario has no serving: section to serve",
                     "add one (workload, prefill, decode); scenarios/serving/deepseek-v3-h800.yaml sets every key");
}

void check_serving(const Scenario& s) {
  const ServingSpec& v = s.serving;
  if (s.cluster.gpu.fp8_dense.per_s() <= 0)
    fail(s, "cluster.gpu", "serving runs the FP8 recipe (FP8 GEMMs and dispatch), and the " + s.cluster.gpu.name +
                               " has no FP8 tensor cores", "serve on a Hopper or Blackwell GPU");
  if (v.workload.cache_hit_ratio >= 1)
    fail(s, "serving.workload.cache_hit_ratio", "a cache-hit ratio of 1 leaves no token to prefill",
         "use a ratio below 1 (day 6: 0.563)");
  if (v.workload.trace_path.empty() && v.workload.request_rate_per_s <= 0)
    fail(s, "serving.workload.request_rate_per_s", "the workload has no load: request_rate_per_s is 0 and no trace_path is given",
         "set serving.workload.request_rate_per_s, or serving.workload.trace_path");
  check_unit(s, "prefill", v.prefill.ep, v.prefill.attention_tp, v.prefill.redundant_experts);
  check_unit(s, "decode", v.decode.ep, v.decode.attention_tp, v.decode.redundant_experts);
  if (v.prefill.comm_sms >= s.cluster.gpu.sms)
    fail(s, "serving.prefill.comm_sms",
         "comm_sms = " + to_string(v.prefill.comm_sms) + " leaves no SM of the " + to_string(s.cluster.gpu.sms) + " for compute",
         "DeepEP's normal kernels use about 20-24 SMs");
  if (v.decode.batch_per_gpu > 0 && v.decode.batch_per_gpu % v.decode.micro_batches != 0)
    fail(s, "serving.decode.batch_per_gpu",
         "batch_per_gpu = " + to_string(v.decode.batch_per_gpu) + " does not split into " +
             to_string(v.decode.micro_batches) + " equal micro-batches",
         "use an even batch with two micro-batches");
  if (v.decode.mtp && s.model.mtp_depth == 0)
    fail(s, "serving.decode.mtp", "MTP speculation needs the model's MTP module, and model.mtp_depth is 0",
         "set serving.decode.mtp: false");
}

}  // namespace deepsim

// DeepSeek's published training trace (deepseek-ai/profile-data train.json: one DualPipe pair of a
// forward and a backward chunk of MoE layers, EP64, 4K tokens per micro-batch, H800, 20 SMs for DeepEP)
// against deepsim's simulation of the same configuration (issue 13 item 6):
//   per op family   the trace's summed kernel time of that class against the kernel model's time of the
//                   same layers' ops (forward, dgrad and wgrad of `layers` MoE layers), on the SMs the
//                   compute keeps beside the communication kernels (gpu.sms - comm_sms);
//   communication   DeepEP's kernels against the simulated dispatch + combine, forward and backward;
//   total           the trace's wall span (first kernel start to last kernel end) against the makespan of
//                   the simulated F&B instruction: a forward and a backward chunk of those layers issued
//                   together on one GPU, all-to-alls holding comm_sms SMs (sim/step's step graph).
// Nothing here is fitted to the total. trace_rate_profile() builds a profile whose per-family rates come
// from the trace's kernels of each family over the work deepsim's ops say that family does: in-sample for
// the per-family rows by construction, so with it only the total (overlap, communication) is tested.
#pragma once

#include <string>
#include <vector>

#include "calibrate/src/kineto_trace.h"
#include "sim/perf/kernel_profile.h"
#include "sim/scenario/scenario.h"

namespace deepsim::calib {

struct PairRow {
  std::string family;     // an op family, or "communication"
  int trace_kernels = 0;
  double trace_us = 0;    // summed kernel durations of that class in the trace
  int sim_launches = 0;
  double sim_us = 0;      // deepsim's summed kernel time of the same layers' ops of that family
  [[nodiscard]] double error() const { return trace_us > 0 ? sim_us / trace_us - 1.0 : 0.0; }
};

struct PairComparison {
  std::string trace_file;
  std::string kernel_model;  // describe() of the kernel model simulated with
  int layers = 0;            // MoE layers in each chunk of the pair
  int compute_sms = 0;       // SMs the per-family times are taken on
  std::vector<PairRow> rows; // families in OpFamily order (those in either side), then communication
  double trace_compute_us = 0, sim_compute_us = 0;  // summed over the family rows (communication and
                                                    // unclassified "other" kernels left out)
  int trace_other_kernels = 0;
  double trace_other_us = 0;
  double trace_span_us = 0;  // wall: first kernel start to last kernel end
  double sim_pair_us = 0;    // the simulated F&B pair's makespan
  [[nodiscard]] double total_error() const { return trace_span_us > 0 ? sim_pair_us / trace_span_us - 1.0 : 0.0; }
};

// `s`: the configuration (scenarios/validation/dpsk-trace-layer-pair.yaml), its kernel model from its own
// calibration.profile; `layers`: MoE layers per chunk in the trace (train.json: 4; the test excerpt: 1).
[[nodiscard]] PairComparison compare_layer_pair(const KinetoTrace& t, const Scenario& s, int layers);
[[nodiscard]] std::string pair_table(const PairComparison& c);

// Per family the trace has kernels of and deepsim has ops of: t = c0 x launches + c x (main feature), with
// c0 the family's shortest kernel in the trace (its fixed cost floor) for memory-bound families and 0 for
// the matrix and attention families, and c = (trace time - c0 x deepsim's launches) / deepsim's feature
// sum (FLOPs for GEMM and attention families, HBM bytes for memory-bound ones), on compute_sms of the
// trace device's SMs. Communication figures are not part of it.
[[nodiscard]] KernelProfile trace_rate_profile(const KinetoTrace& t, const Scenario& s, int layers,
                                               const std::string& name, const std::string& generated_by);

}  // namespace deepsim::calib

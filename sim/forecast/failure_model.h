// Expected cost of failures and checkpoints over a phase (docs/forecast.md, "Failures").
// Failures of the job form a Poisson process of rate
//     lambda = N_gpu / MTBF_gpu + N_node / MTBF_node            (per hour; M = 1 / lambda)
// Training checkpoints every tau hours of progress, stalling C hours per checkpoint; a failure costs the
// restart R plus the work since the last checkpoint, on average half a checkpoint period:
//     loss per failure  l = R + (tau + C) / 2
// Failures also strike during restarts and re-done work, so over a wall time W there are lambda W of them:
//     W = T (1 + C / tau) + lambda W l      =>      W = T (1 + C / tau) / (1 - lambda l)
// for failure-free compute time T; goodput = T / W. The run cannot finish when lambda l >= 1.
// Optimal intervals, beside the configured one: Young (1974) tau = sqrt(2 C M); Daly (2006, higher order)
//     tau = sqrt(2 C M) [1 + sqrt(C / (2M)) / 3 + (C / (2M)) / 9] - C   for C < 2M, else tau = M.
#pragma once

namespace deepsim {

struct FailureInputs {
  int gpus = 0;
  int nodes = 0;
  double gpu_mtbf_h = 0;   // 0: never fails
  double node_mtbf_h = 0;  // 0: never fails
  double interval_h = 1;   // tau
  double write_h = 0;      // C
  double restart_h = 0;    // R
};

struct FailureOutcome {
  double rate_per_h = 0;         // lambda
  double system_mtbf_h = 0;      // M = 1 / lambda (0 when nothing fails)
  double loss_per_failure_h = 0; // l
  double wall_h = 0;             // W
  double failures = 0;           // expected count, lambda W
  double checkpoint_h = 0;       // T C / tau: wall time spent writing checkpoints
  double lost_h = 0;             // lambda W l: restarts and re-done work
  double goodput = 1;            // T / W
};

[[nodiscard]] double failure_rate_per_h(const FailureInputs& in);
[[nodiscard]] double young_interval_h(double write_h, double mtbf_h);
[[nodiscard]] double daly_interval_h(double write_h, double mtbf_h);
// Throws InputError (key failures) when the run cannot make progress (lambda l >= 1).
[[nodiscard]] FailureOutcome failure_outcome(const FailureInputs& in, double compute_h);

}  // namespace deepsim

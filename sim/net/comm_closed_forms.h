// Closed forms of the collectives, as named free functions of (ranks, bytes, bandwidth, latency). Both
// comm models use them: the analytic model evaluates them; the flow model runs the same algorithms step
// by step on the max-min network, so alone on an idle symmetric fabric it reproduces them exactly.
// S is nccl-tests' per-rank buffer (reduce-scatter / all-gather: the whole gathered buffer), n the ranks,
// beta the per-flow bandwidth a step gets (the bottleneck link's capacity over the flows of the step that
// cross it), alpha the per-step latency (the path's summed hop latencies). A step moves
// ceil(chunk / beta) picoseconds after alpha:
//   step(chunk)              = alpha + ceil(chunk / beta)
//   ring reduce-scatter      = (n-1) step(S/n)           ring all-gather: the same
//   ring all-reduce          = 2(n-1) step(S/n)
//   send/recv                = step(S)
//   hierarchical (N nodes of g ranks; NVLink inside, every rank's own NIC across):
//     reduce-scatter = (g-1) step_nvl(S/g) + (N-1) step_ib(S/(gN))
//     all-gather     = the same, inter-node first
//     all-reduce     = (g-1) step_nvl(S/g) + 2(N-1) step_ib(S/(gN)) + (g-1) step_nvl(S/g)
//   bottleneck all-to-all    = alpha + ceil(max over links of bytes(link) / capacity(link))
// collective_step_time() is the single place where every step of every collective is priced: the hook
// where a per-protocol latency floor (NCCL's LL / LL128 / Simple regimes) applies once for all of them.
#pragma once

#include "sim/core/time.h"
#include "sim/core/units.h"
#include "sim/engine/comm_op.h"

namespace deepsim {

// One step of a collective of `kind`: `chunk` bytes per flow at `beta` after `alpha`. Today the plain
// alpha-beta cost; the protocol floor hook.
[[nodiscard]] Time collective_step_time(CommKind kind, Bytes chunk, Bandwidth beta, Time alpha);

[[nodiscard]] Time send_recv_time(Bytes s, Bandwidth beta, Time alpha);
[[nodiscard]] Time ring_reduce_scatter_time(int n, Bytes s, Bandwidth beta, Time alpha);
[[nodiscard]] Time ring_all_gather_time(int n, Bytes s, Bandwidth beta, Time alpha);
[[nodiscard]] Time ring_all_reduce_time(int n, Bytes s, Bandwidth beta, Time alpha);

// Hierarchical collectives: `nodes` nodes of `per_node` ranks; intra-node rings at beta_intra, one
// inter-node ring per local rank (plane) at beta_inter, all planes at once.
struct HierarchicalLinks {
  int nodes = 1;
  int per_node = 1;
  Bandwidth beta_intra;
  Time alpha_intra;
  Bandwidth beta_inter;
  Time alpha_inter;
};
[[nodiscard]] Time hierarchical_reduce_scatter_time(Bytes s, const HierarchicalLinks& h);
[[nodiscard]] Time hierarchical_all_gather_time(Bytes s, const HierarchicalLinks& h);
[[nodiscard]] Time hierarchical_all_reduce_time(Bytes s, const HierarchicalLinks& h);

// A bottleneck all-to-all: `seconds_per_byte` = max over links of (bytes on the link per byte of S) /
// capacity.
[[nodiscard]] Time bottleneck_all_to_all_time(Bytes s, double seconds_per_byte, Time alpha);

}  // namespace deepsim

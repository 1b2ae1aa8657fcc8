#include "sim/cli/commands.h"

namespace deepsim::cli {
namespace {

OptionSpec set_option() {
  return {"set", "KEY.PATH=VALUE", true, "override a scenario key, e.g. --set parallel.pp=8"};
}

OptionSpec json_option() {
  return {"json", "", false, "print one JSON document on stdout instead of the text (units in the keys)"};
}

}  // namespace

const std::vector<Command>& commands() {
  static const std::vector<Command> list = {
      {{"run", "SCENARIO", 1, 1, "simulate a training step and run of a scenario; print and write reports",
        {set_option(),
         {"out", "DIR", false, "write result.json, report.md, report.html, trace.json and CSV files to DIR"},
         {"quiet", "", false, "print only the summary line"},
         json_option()}},
       run_run},
      {{"validate", "SCENARIO", 1, 1, "check a scenario and print its resolved form; exit 2 on errors",
        {set_option(), {"print", "", false, "print the fully resolved scenario as YAML"},
         {"json", "", false, "print {\"ok\": true, ...} or {\"ok\": false, \"error\": {file, line, key, ...}} on stdout"}}},
       run_validate},
      {{"model", "PRESET|SCENARIO", 1, 1, "parameters, FLOPs per token and KV cache of a model",
        {set_option(), {"seq-len", "N", false, "sequence length for FLOPs per token, 1..16777216 (default: 4096)"},
         json_option()}},
       run_model},
      {{"topo", "SCENARIO", 1, 1, "describe the scenario's fabric: nodes, GPUs, planes, switches, links",
        {set_option(),
         {"plan", "", false,
          "also list the plan's pipeline, DP, TP, CP and EP groups (GPU ids, nodes); with --json under \"plan\""},
         json_option()}},
       run_topo},
      {{"net-bench", "SCENARIO", 1, 1, "simulate a collective on the scenario's fabric, printed like nccl-tests",
        {set_option(),
         {"collective", "NAME", false,
          "sendrecv, all-reduce (ring), all-reduce-tree, all-reduce-hier, reduce-scatter, all-gather, all-to-all, "
          "dispatch or combine (default all-reduce)"},
         {"minbytes", "SIZE", false, "smallest size of the sweep, e.g. 8, 64K, 1M (nccl-tests' -b; default 32M)", 'b'},
         {"maxbytes", "SIZE", false, "largest size of the sweep (nccl-tests' -e; default: minbytes)", 'e'},
         {"stepfactor", "F", false, "multiply the size by F each row (nccl-tests' -f; default 2)", 'f'},
         {"bytes", "SIZE[,SIZE...]", false, "an explicit list of sizes instead of -b/-e/-f, e.g. 1M,64M,1G (default 1G)"},
         {"datatype", "TYPE", false,
          "element type for the count column: int8, uint8, int32, uint32, int64, uint64, half, float, double, "
          "bfloat16 (nccl-tests' -d; default float)", 'd'},
         {"protocol", "P", false,
          "NCCL protocol floor: auto (NCCL's fastest, default), LL, LL128, Simple, or none (the bare flow model)"},
         {"deepep-mode", "MODE", false,
          "dispatch/combine kernels: normal (R24: flows + notify + the comm SMs' copies, default) or low-latency "
          "(R25: pure RDMA, no SMs held)"},
         {"gpus", "N", false, "GPUs taking part (default: the whole cluster)"},
         {"routing", "POLICY", false, "ecmp (hash of the flow) or adaptive (least-loaded spine); default ecmp"},
         json_option()},
        "Columns, as nccl-tests prints them (one set: a simulation has no in-place / out-of-place difference):\n"
        "  size     bytes per rank (all-gather, reduce-scatter, all-to-all: the whole gathered buffer)\n"
        "  count    elements of TYPE (per rank for all-gather, reduce-scatter, all-to-all; tokens for dispatch/combine)\n"
        "  type     -d's type (dispatch: e4m3 with scales, combine: bfloat16)\n"
        "  redop    sum for the reductions (all-reduce, reduce-scatter, combine), none otherwise\n"
        "  root     -1 (no rooted collectives)\n"
        "  time     simulated time in us; algbw = size / time; busbw = algbw x 2(n-1)/n (all-reduce),\n"
        "           x (n-1)/n (reduce-scatter, all-gather, all-to-all), x 1 (sendrecv)\n"
        "  #wrong   N/A: nccl-tests counts wrong values when it checks results; a simulation moves no data\n"
        "deepsim's columns:\n"
        "  proto    NCCL algorithm/protocol of the row (the fastest with --protocol auto), or 'flow' with --protocol none\n"
        "           (dispatch/combine: DeepEP's kernels; --protocol none drops their notify and SM floor too)\n"
        "  flows    flow tasks the simulation ran\n"
        "  IB/GPU, NVL/GPU (dispatch/combine): mean InfiniBand and NVLink send bandwidth per GPU\n"
        "  DeepEP-RDMA: DeepEP's own 'RDMA bandwidth' (token-node pairs x bytes per token / GPU / time)\n"
        "Footer: '# Avg bus bandwidth' is the mean busbw over the rows, as nccl-tests prints it.\n"
        "Example: deepsim net-bench scenarios/default.yaml --gpus 8 -b 8 -e 128M -f 2"},
       run_net_bench},
      {{"batch", "FILE...", 1, 1 << 20,
        "run scenario and sweep files on all cores; write results.csv and summary.md/.html ranked by cost and time",
        {{"out", "DIR", false, "output directory (default batch-out); results already there are reused"},
         {"jobs", "N", false, "threads, 1..256 (default: all cores)"},
         {"quiet", "", false, "no progress bar"},
         {"progress", "", false, "progress bar even when stderr is not a terminal (default: only on a terminal)"},
         {"reports", "", false, "also write report.md, report.html, phases.csv and ranks.csv per scenario under "
                                "runs/<hash>/ and link the summary to them (default: result.json only)"}}},
       run_batch},
      {{"diff", "A B", 2, 2,
        "compare two results (result.json files or run folders): changed inputs, headline and phase moves",
        {json_option()},
        "A and B are result.json files or folders written by 'deepsim run --out' (or a batch's runs/<hash>/).\n"
        "Inputs are compared key by key on the resolved scenarios; changes are B - A, relative to A."},
       run_diff},
      compare_command(),
      {{"plan", "SCENARIO", 1, 1,
        "search the parallel plan (pp, ep, schedule, micro-batches, recompute, ZeRO, ...) for the cluster and model; "
        "rank by time and cost",
        {set_option(),
         {"vary", "KEY=V1,V2,...", true, "replace a dimension's values, e.g. --vary parallel.pp=4,8,16 (one value fixes it)"},
         {"out", "DIR", false, "write plans.csv, plans.json and plans.html to DIR"},
         {"jobs", "N", false, "threads (default: all cores; under mpirun: one per rank)"},
         {"top", "N", false, "plans listed per ranking (default 10)"},
         {"quiet", "", false, "no progress bar"}}},
       run_plan},
      {{"serve", "SCENARIO", 1, 1,
        "serve the model with prefill/decode units: TTFT, TPOT, tokens/s per node, nodes and $ per 1M tokens",
        {set_option(),
         {"out", "DIR", false, "write report.md, report.html, result.json and trace.json (one decode step) to DIR"},
         {"quiet", "", false, "print only the summary"},
         json_option()}},
       run_serve},
  };
  return list;
}

}  // namespace deepsim::cli

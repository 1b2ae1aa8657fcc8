// `deepsim batch`: many scenarios on all cores (docs/forecast.md, "Batch runs").
//  - Inputs are scenario files and sweep files (sim/forecast/sweep.h), enumerated lazily in order.
//  - A work pool (std::threads, or MPI ranks) computes them; rows are written to results.csv strictly in input order as
//    soon as every earlier row is done (a bounded reorder window keeps memory flat on huge sweeps).
//  - Each result is stored as runs/<input hash>/result.json; a scenario whose hash already has one is
//    not recomputed, its row is read back from the file (same bytes either way), and the run says so.
//  - A scenario that fails records its error in its row; the others go on.
//  - summary.md / summary.html rank the scenarios by cost and by time, with the Pareto front and a chart
//    of cost against days, each row linked to its report (batch_summary.h).
//  - What a point runs is the batch's kind (batch_kind.h): the training run by default, or the kind the
//    caller passes (the CLI's serving study for sweeps with `kind: serve`). One batch runs one kind.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "sim/forecast/forecast.h"
#include "sim/forecast/forecast_cost.h"
#include "sim/forecast/sweep.h"
#include "sim/report/batch_kind.h"
#include "sim/report/work_pool.h"

namespace deepsim {

struct BatchJob {
  std::string file;                    // the scenario or sweep file it came from
  std::string label;                   // "base" for a scenario file, the varied keys for a sweep point
  std::string scenario_path;
  std::vector<std::string> overrides;
};

// The jobs of a list of files. Sweep files are parsed up front (bad keys fail before anything runs).
// A batch runs one kind of point (its results.csv has one header): a scenario file is a training point,
// a sweep's points are its `kind:`; a file of another kind than the first is an InputError at its
// `kind:` key.
class BatchJobs {
 public:
  explicit BatchJobs(const std::vector<std::string>& files);
  [[nodiscard]] std::uint64_t size() const { return total_; }
  [[nodiscard]] BatchJob at(std::uint64_t i) const;
  [[nodiscard]] const std::string& kind() const { return kind_; }
  // The sweeps that set `kind:`: their base scenario and where the key is (for errors found later).
  struct KindSource {
    std::string base;
    SourcePos pos;
  };
  [[nodiscard]] const std::vector<KindSource>& kind_sources() const { return kind_sources_; }

 private:
  struct Entry {
    std::string file;
    bool sweep = false;
    Sweep spec;
    std::uint64_t first = 0;  // index of its first job
  };
  std::vector<Entry> entries_;
  std::uint64_t total_ = 0;
  std::string kind_ = "train";
  std::vector<KindSource> kind_sources_;
};

// The most worker threads a batch starts. More threads than cores only add memory (a reorder window of
// 4 rows and a stack per thread); 256 covers the largest single machines while a typo such as
// `--jobs 20000` cannot exhaust the process's thread limit.
inline constexpr int kMaxBatchThreads = 256;

struct BatchOptions {
  std::filesystem::path out_dir;
  int threads = 1;
  std::string deepsim_version;
  // The training kind's step and network inventory (used when `kind` is null).
  StepFn step;
  InventoryFn inventory;
  // What each point runs; null: the training run with `step` and `inventory`. Must match jobs.kind().
  std::shared_ptr<const BatchKind> kind;
  std::ostream* progress = nullptr;  // progress bar and ETA; nullptr: silent
  std::size_t summary_keep = 20;
  // Write the kind's report set (training: report.md, report.html, phases.csv, ranks.csv; serving:
  // report.md, report.html, trace.json) beside each result.json, and link
  // the summary to report.html (`deepsim batch --reports`). A reused result without its report.html is
  // computed again.
  bool reports = false;
  // Where the scenarios run (work_pool.h); null: `threads` std::threads in this process. Under MPI only
  // the coordinator writes results.csv and the summaries; the rows are the same bytes either way.
  WorkPool* pool = nullptr;
};

struct BatchOutcome {
  std::uint64_t total = 0, computed = 0, reused = 0, failed = 0;
  std::uint64_t does_not_fit = 0;  // of computed + reused: plans over HBM, listed apart in the summary
  std::uint64_t bad_input = 0;     // of failed: the scenario itself was refused (an InputError)
};

// Throws std::runtime_error when the output directory cannot be written or no thread can be started.
// `threads` must be in 1..kMaxBatchThreads.
BatchOutcome run_batch(const BatchJobs& jobs, const BatchOptions& options);

}  // namespace deepsim

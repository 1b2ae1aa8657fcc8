#include "sim/report/batch_runner.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "sim/core/error.h"
#include "sim/core/format.h"
#include "sim/report/batch_row.h"
#include "sim/report/batch_summary.h"
#include "sim/report/run_report.h"
#include "sim/report/work_pool.h"
#include "sim/report/write_reports.h"
#include "sim/scenario/loader.h"
#include "sim/scenario/yaml_document.h"

namespace deepsim {
namespace fs = std::filesystem;

BatchJobs::BatchJobs(const std::vector<std::string>& files) {
  for (const auto& f : files) {
    Entry e;
    e.file = f;
    e.first = total_;
    // Read once, here: a FIFO, a directory or an oversized file is refused before anything runs.
    const std::string text = read_input_file(f);
    e.sweep = is_sweep_text(text);
    if (e.sweep) e.spec = parse_sweep(text, f);
    const std::string kind = e.sweep ? e.spec.kind : "train";
    if (e.sweep && !e.spec.kind_pos.file.empty()) kind_sources_.push_back({e.spec.base, e.spec.kind_pos});
    if (entries_.empty()) {
      kind_ = kind;
    } else if (kind != kind_) {
      // Name the `kind:` key that makes the difference: this file's, or the first sweep's that set one.
      const bool here = e.sweep && !e.spec.kind_pos.file.empty();
      const SourcePos pos = here ? e.spec.kind_pos : kind_sources_.empty() ? SourcePos{f, 0, 0} : kind_sources_.front().pos;
      throw InputError(pos, "kind",
                       "a batch runs one kind of point, but " + f + " runs '" + kind + "' and " + entries_.front().file +
                           " runs '" + kind_ + "' (a scenario file, or a sweep without kind:, is a training run)",
                       "run the serving sweeps (kind: serve) and the training files in separate batches");
    }
    total_ += e.sweep ? e.spec.size() : 1;
    if (total_ > kMaxSweepPoints)
      throw InputError({f, 0, 0}, "", "the batch has more than " + std::to_string(kMaxSweepPoints) + " scenarios with this file",
                       "the limit for one batch is " + std::to_string(kMaxSweepPoints) + " scenarios; run the files in several batches");
    entries_.push_back(std::move(e));
  }
}

BatchJob BatchJobs::at(std::uint64_t i) const {
  DEEPSIM_ASSERT(i < total_, "BatchJobs::at past the end");
  const auto it = std::prev(std::upper_bound(entries_.begin(), entries_.end(), i,
                                             [](std::uint64_t v, const Entry& e) { return v < e.first; }));
  if (!it->sweep) return {it->file, "base", it->file, {}};
  const std::uint64_t k = i - it->first;
  return {it->file, it->spec.label_at(k), it->spec.base, it->spec.overrides_at(k)};
}

namespace {

struct Computed {
  BatchRow row;
  bool reused = false;
  bool bad_input = false;  // failed with an InputError
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Loads, hashes, reuses or computes one scenario. Every failure of the scenario itself becomes its row.
Computed compute_one(const BatchJob& job, std::uint64_t index, const BatchOptions& o, const BatchKind& kind) {
  Computed c;
  try {
    const Scenario s = load_scenario_file(job.scenario_path, job.overrides);
    kind.check(s);
    const std::string hash = input_hash(s, o.deepsim_version);
    c.row.hash = hash;
    const fs::path dir = o.out_dir / "runs" / hash;
    const fs::path file = dir / "result.json";
    if (fs::exists(file) && (!o.reports || fs::exists(dir / "report.html"))) {
      try {
        c.row = kind.row(nlohmann::ordered_json::parse(read_file(file)));
        c.reused = true;
      } catch (const std::exception&) {
        c.reused = false;  // unreadable (an interrupted write) or another kind's result: compute it again
      }
    }
    if (!c.reused) {
      fs::create_directories(dir);
      // The report set first (inside compute); result.json last and whole (below), so a reused result
      // has its reports.
      const nlohmann::ordered_json j =
          kind.compute({.scenario = s, .input_hash = hash, .deepsim_version = o.deepsim_version, .dir = dir, .reports = o.reports});
      const fs::path tmp = dir / ("result.json.tmp" + std::to_string(index));
      write_text_file(tmp, j.dump(2) + "\n");
      fs::rename(tmp, file);  // whole files only, so a later run never reads half a result
      c.row = kind.row(j);
    }
  } catch (const InputError& e) {
    c.row.ok = false;
    c.row.error = e.what();
    c.bad_input = true;
  } catch (const std::exception& e) {
    c.row.ok = false;
    c.row.error = e.what();
  }
  c.row.index = index;
  c.row.file = job.file;
  c.row.label = job.label;
  return c;
}

class Progress {
 public:
  Progress(std::ostream* out, std::uint64_t total) : out_(out), total_(total), start_(Clock::now()) {}
  void update(const BatchOutcome& o) {
    if (out_ == nullptr) return;
    const std::uint64_t done = o.computed + o.reused + o.failed;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const double per = o.computed + o.failed > 0 ? elapsed / static_cast<double>(o.computed + o.failed) : 0.0;
    const int width = 30;
    const auto filled = static_cast<int>(total_ > 0 ? width * done / total_ : width);
    *out_ << "\r[" << std::string(static_cast<std::size_t>(filled), '#')
          << std::string(static_cast<std::size_t>(width - filled), '.') << "] " << done << "/" << total_ << "  "
          << o.reused << " reused  " << o.failed << " failed  "
          << (done >= total_ ? "done in " + format_seconds(elapsed)
              : per > 0   ? "ETA " + format_seconds(per * static_cast<double>(total_ - done))
                          : std::string("ETA --"))
          << "   " << std::flush;
  }
  void finish() {
    if (out_ != nullptr) *out_ << "\n";
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::ostream* out_;
  std::uint64_t total_;
  Clock::time_point start_;
};

// Writes finished rows in input order: results.csv, the summary, the counts and the progress bar.
class RowWriter {
 public:
  RowWriter(const BatchOptions& o, const BatchKind& kind, std::uint64_t total)
      : kind_(kind), summary_(o.summary_keep, o.reports, kind.summary_layout()), progress_(o.progress, total) {
    csv_.open(o.out_dir / "results.csv", std::ios::binary | std::ios::trunc);
    if (!csv_) throw std::runtime_error("cannot write '" + (o.out_dir / "results.csv").string() + "'");
    csv_ << kind_.csv_header();
    outcome_.total = total;
  }
  void write(const Computed& c) {
    csv_ << kind_.csv_line(c.row) << std::flush;
    summary_.add(c.row);
    (c.row.ok ? (c.reused ? outcome_.reused : outcome_.computed) : outcome_.failed) += 1;
    if (c.row.ok && !c.row.fits) ++outcome_.does_not_fit;
    if (c.bad_input) ++outcome_.bad_input;
    progress_.update(outcome_);
  }
  [[nodiscard]] const BatchOutcome& outcome() const { return outcome_; }
  [[nodiscard]] const BatchSummary& summary() const { return summary_; }
  void finish() { progress_.finish(); }

 private:
  const BatchKind& kind_;
  std::ofstream csv_;
  BatchSummary summary_;
  BatchOutcome outcome_;
  Progress progress_;
};

// A computed row as bytes for the work pool (exact: doubles round-trip through JSON).
std::string encode(const Computed& c) {
  const BatchRow& r = c.row;
  // Every field of Computed and BatchRow: an MPI worker's row must be the one a thread would have written.
  nlohmann::json j = {{"reused", c.reused}, {"bad_input", c.bad_input}, {"index", r.index}, {"file", r.file}, {"label", r.label},
                      {"hash", r.hash}, {"ok", r.ok}, {"error", r.error}, {"name", r.name}, {"gpu", r.gpu},
                      {"schedule", r.schedule}, {"gpus", r.gpus}, {"pp", r.pp}, {"dp", r.dp}, {"ep", r.ep},
                      {"fits", r.fits}, {"min_headroom_bytes", r.min_headroom_bytes}, {"step_time_s", r.step_time_s},
                      {"bubble_s", r.bubble_s}, {"exposed_comm_s", r.exposed_comm_s}, {"gpu_hours", r.gpu_hours}, {"days", r.days},
                      {"cost_usd", r.cost_usd}, {"usd_per_million_tokens", r.usd_per_million_tokens},
                      {"mfu_bf16_causal", r.mfu_bf16_causal}, {"figures", r.figures.dump()}};
  return j.dump();
}

Computed decode(const std::string& bytes) {
  const nlohmann::json j = nlohmann::json::parse(bytes);
  Computed c;
  BatchRow& r = c.row;
  c.reused = j.at("reused").get<bool>();
  c.bad_input = j.at("bad_input").get<bool>();
  r.index = j.at("index").get<std::uint64_t>();
  r.file = j.at("file").get<std::string>();
  r.label = j.at("label").get<std::string>();
  r.hash = j.at("hash").get<std::string>();
  r.ok = j.at("ok").get<bool>();
  r.error = j.at("error").get<std::string>();
  r.name = j.at("name").get<std::string>();
  r.gpu = j.at("gpu").get<std::string>();
  r.schedule = j.at("schedule").get<std::string>();
  r.gpus = j.at("gpus").get<int>();
  r.pp = j.at("pp").get<int>();
  r.dp = j.at("dp").get<int>();
  r.ep = j.at("ep").get<int>();
  r.fits = j.at("fits").get<bool>();
  r.min_headroom_bytes = j.at("min_headroom_bytes").get<double>();
  r.step_time_s = j.at("step_time_s").get<double>();
  r.bubble_s = j.at("bubble_s").get<double>();
  r.exposed_comm_s = j.at("exposed_comm_s").get<double>();
  r.gpu_hours = j.at("gpu_hours").get<double>();
  r.days = j.at("days").get<double>();
  r.cost_usd = j.at("cost_usd").get<double>();
  r.usd_per_million_tokens = j.at("usd_per_million_tokens").get<double>();
  r.mfu_bf16_causal = j.at("mfu_bf16_causal").get<double>();
  r.figures = nlohmann::ordered_json::parse(j.at("figures").get<std::string>());
  return c;
}

}  // namespace

BatchOutcome run_batch(const BatchJobs& jobs, const BatchOptions& o) {
  const TrainingBatchKind training(o.step, o.inventory);
  const BatchKind& kind = o.kind ? *o.kind : training;
  DEEPSIM_ASSERT(kind.name() == jobs.kind(), "run_batch: the batch's kind and its jobs' kind differ");
  ThreadWorkPool threads(o.threads);
  WorkPool& pool = o.pool != nullptr ? *o.pool : threads;
  fs::create_directories(o.out_dir / "runs");
  const auto compute = [&](std::uint64_t i) { return encode(compute_one(jobs.at(i), i, o, kind)); };
  if (!pool.coordinator()) {  // an MPI worker: computes what it is handed, writes no summary
    pool.run(jobs.size(), compute, [](std::uint64_t, std::string&&) {});
    return {};
  }
  RowWriter writer(o, kind, jobs.size());
  pool.run(jobs.size(), compute, [&](std::uint64_t, std::string&& bytes) { writer.write(decode(bytes)); });
  writer.finish();
  const std::string title = "deepsim batch: " + std::to_string(jobs.size()) + " scenarios";
  write_text_file(o.out_dir / "summary.md", writer.summary().markdown(title));
  write_text_file(o.out_dir / "summary.html", writer.summary().html(title));
  BatchOutcome out = writer.outcome();
  return out;
}

}  // namespace deepsim

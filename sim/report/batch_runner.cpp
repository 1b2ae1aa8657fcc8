#include "sim/report/batch_runner.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <system_error>
#include <thread>

#include "sim/core/error.h"
#include "sim/core/format.h"
#include "sim/forecast/preflight.h"
#include "sim/report/batch_row.h"
#include "sim/report/batch_summary.h"
#include "sim/report/result_json.h"
#include "sim/report/run_report.h"
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
Computed compute_one(const BatchJob& job, std::uint64_t index, const BatchOptions& o) {
  Computed c;
  try {
    const Scenario s = load_scenario_file(job.scenario_path, job.overrides);
    preflight(s);  // the same checks as deepsim validate and run, before any engine time
    const std::string hash = input_hash(s, o.deepsim_version);
    c.row.hash = hash;
    const fs::path dir = o.out_dir / "runs" / hash;
    const fs::path file = dir / "result.json";
    if (fs::exists(file)) {
      try {
        c.row = row_from_result(nlohmann::ordered_json::parse(read_file(file)));
        c.reused = true;
      } catch (const std::exception&) {
        c.reused = false;  // unreadable (an interrupted write): compute it again
      }
    }
    if (!c.reused) {
      const nlohmann::ordered_json j = result_json(make_run_report(s, o.step, o.inventory, o.deepsim_version));
      fs::create_directories(dir);
      const fs::path tmp = dir / ("result.json.tmp" + std::to_string(index));
      write_text_file(tmp, j.dump(2) + "\n");
      fs::rename(tmp, file);  // whole files only, so a later run never reads half a result
      c.row = row_from_result(j);
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
  RowWriter(const BatchOptions& o, std::uint64_t total) : summary_(o.summary_keep), progress_(o.progress, total) {
    csv_.open(o.out_dir / "results.csv", std::ios::binary | std::ios::trunc);
    if (!csv_) throw std::runtime_error("cannot write '" + (o.out_dir / "results.csv").string() + "'");
    csv_ << results_csv_header();
    outcome_.total = total;
  }
  void write(const Computed& c) {
    csv_ << results_csv_line(c.row) << std::flush;
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
  std::ofstream csv_;
  BatchSummary summary_;
  BatchOutcome outcome_;
  Progress progress_;
};

// The pool's shared state: the next job to hand out, the next row to write, and the finished rows
// waiting for an earlier one. Jobs are handed out at most `window` ahead of the next row to write.
struct Pool {
  std::mutex m;
  std::condition_variable cv;
  std::uint64_t next = 0, next_write = 0, window = 8;
  std::map<std::uint64_t, Computed> pending;
  std::exception_ptr error;
};

void work(const BatchJobs& jobs, const BatchOptions& o, Pool& pool, RowWriter& writer) {
  for (;;) {
    std::unique_lock lock(pool.m);
    pool.cv.wait(lock, [&] { return pool.next >= jobs.size() || pool.next < pool.next_write + pool.window || pool.error; });
    if (pool.next >= jobs.size() || pool.error) return;
    const std::uint64_t i = pool.next++;
    lock.unlock();
    Computed c;
    try {
      c = compute_one(jobs.at(i), i, o);
    } catch (...) {  // not the scenario's fault (e.g. the disk): stop the batch
      lock.lock();
      pool.error = std::current_exception();
      pool.cv.notify_all();
      return;
    }
    lock.lock();
    pool.pending.emplace(i, std::move(c));
    try {
      for (auto it = pool.pending.find(pool.next_write); it != pool.pending.end();
           it = pool.pending.find(pool.next_write)) {
        writer.write(it->second);
        pool.pending.erase(it);
        ++pool.next_write;
      }
    } catch (...) {
      pool.error = std::current_exception();
    }
    pool.cv.notify_all();
  }
}

}  // namespace

BatchOutcome run_batch(const BatchJobs& jobs, const BatchOptions& o) {
  fs::create_directories(o.out_dir / "runs");
  RowWriter writer(o, jobs.size());
  Pool pool;
  // No more threads than jobs; and if the system refuses a thread (--jobs 2000 on a small machine), run
  // with those already started instead of terminating with joinable threads.
  const auto threads = static_cast<int>(std::clamp<std::uint64_t>(jobs.size(), 1, static_cast<std::uint64_t>(std::max(1, o.threads))));
  pool.window = 4 * static_cast<std::uint64_t>(threads) + 8;
  DEEPSIM_ASSERT(threads <= kMaxBatchThreads, "batch threads above kMaxBatchThreads; the CLI bounds --jobs");
  std::vector<std::thread> workers;
  std::string spawn_error;
  for (int t = 0; t < threads; ++t) {
    try {
      workers.emplace_back([&] { work(jobs, o, pool, writer); });
    } catch (const std::system_error& e) {
      // The system refused another thread (ulimit -u, memory): go on with those that started, and say so.
      spawn_error = e.what();
      break;
    }
  }
  if (workers.empty()) throw std::runtime_error("batch: cannot start a worker thread: " + spawn_error);
  for (auto& t : workers) t.join();
  writer.finish();
  if (pool.error) std::rethrow_exception(pool.error);
  const std::string title = "deepsim batch: " + std::to_string(jobs.size()) + " scenarios";
  write_text_file(o.out_dir / "summary.md", writer.summary().markdown(title));
  write_text_file(o.out_dir / "summary.html", writer.summary().html(title));
  BatchOutcome out = writer.outcome();
  out.threads_started = static_cast<int>(workers.size());
  out.thread_error = spawn_error;
  return out;
}

}  // namespace deepsim

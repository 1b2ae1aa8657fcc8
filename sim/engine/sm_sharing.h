// SmSharing: a GPU's streaming multiprocessors as a resource shared by compute and communication.
//
// Model (processor sharing). GPU g has S_g SMs (TaskGraph::set_gpu_sms). While communication kernels
// hold H_g(t) of them (the comm_sms of the flows active on g), every compute task running on g
// progresses at
//     a_g(t) = max(0, S_g - H_g(t)) / S_g
// nominal seconds per second. A compute task of nominal duration D started at t0 ends at the first t
// with integral_{t0}^{t} a_g = D. H_g changes only at instants, so the integral is piecewise linear:
// at each change the remaining nominal work W of every running task is advanced with the old rate and
// its finish re-timed as t + ceil(W / a_g) (rounding.h), exactly as the flow model re-times flows when
// rates change. With H_g >= S_g compute stalls until SMs come back. GPUs with no declared S_g, and
// compute tasks with gpu = -1, always run at their nominal duration.
// Left out: compute kernels competing with each other for SMs (two compute streams on one GPU each run
// at a_g), memory-bandwidth contention, and SM partition granularity.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/core/ids.h"
#include "sim/core/time.h"

namespace deepsim {

class SmSharing {
 public:
  // A compute task whose finish time changed at the last settle().
  struct Update {
    TaskId task;
    Time finish;  // Time::max(): stalled, no free SMs
    std::uint32_t version;
  };

  // `gpu_sms[g]` = S_g, 0 where undeclared; `task_count` sizes the per-task version table.
  SmSharing(std::span<const std::int32_t> gpu_sms, std::size_t task_count);

  // Starts a compute task at `now` and returns its finish at the SM availability in force (the next
  // settle() re-times it if communication changed at this instant). Time::max() if stalled.
  [[nodiscard]] Time start(Time now, TaskId task, std::int32_t gpu, Time duration);
  // A compute task finished (its completion came).
  void finish(TaskId task, std::int32_t gpu);
  // A communication kernel starts or stops holding `sms` SMs on `gpu`.
  void hold(std::int32_t gpu, std::int32_t sms);
  void release(std::int32_t gpu, std::int32_t sms);
  // Re-times the running compute tasks of every GPU whose availability changed since the last settle.
  void settle(Time now, std::vector<Update>& updates);

  // Completions scheduled with another version are outdated.
  [[nodiscard]] std::uint32_t version(TaskId task) const { return version_[task.value()]; }

 private:
  struct Running {
    TaskId task;
    double remaining_work_ps;  // nominal (full-speed) picoseconds still to do, as of `updated`
    Time updated;
  };
  struct Gpu {
    std::int32_t sms = 0;      // S_g; 0 = not modelled
    std::int32_t held = 0;     // H_g now
    std::int32_t applied = 0;  // S_g - H_g (clamped) that the running tasks' finish times assume
    bool dirty = false;
    std::vector<Running> running;
  };

  [[nodiscard]] bool modelled(std::int32_t gpu) const;
  void retime(Gpu& g, Time now, std::vector<Update>& updates);

  std::vector<Gpu> gpus_;
  std::vector<std::int32_t> dirty_;
  std::vector<std::uint32_t> version_;
};

}  // namespace deepsim

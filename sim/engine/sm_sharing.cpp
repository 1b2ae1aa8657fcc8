// SmSharing: per-GPU SM accounting and the processor-sharing re-timing of compute; model in the header.
#include "sim/engine/sm_sharing.h"

#include <algorithm>

#include "sim/core/error.h"
#include "sim/engine/rounding.h"

namespace deepsim {

SmSharing::SmSharing(std::span<const std::int32_t> gpu_sms, std::size_t task_count)
    : gpus_(gpu_sms.size()), version_(task_count, 0) {
  for (std::size_t g = 0; g < gpu_sms.size(); ++g) {
    gpus_[g].sms = gpu_sms[g];
    gpus_[g].applied = gpu_sms[g];
  }
}

bool SmSharing::modelled(std::int32_t gpu) const {
  return gpu >= 0 && static_cast<std::size_t>(gpu) < gpus_.size() && gpus_[static_cast<std::size_t>(gpu)].sms > 0;
}

Time SmSharing::start(Time now, TaskId task, std::int32_t gpu, Time duration) {
  if (!modelled(gpu)) return now + duration;
  Gpu& g = gpus_[static_cast<std::size_t>(gpu)];
  const auto work_ps = static_cast<double>(duration.count_ps());
  g.running.push_back(Running{task, work_ps, now});
  if (g.applied <= 0) return Time::max();
  return finish_after(now, work_ps * g.sms / g.applied);
}

void SmSharing::finish(TaskId task, std::int32_t gpu) {
  if (!modelled(gpu)) return;
  std::vector<Running>& running = gpus_[static_cast<std::size_t>(gpu)].running;
  const auto it = std::find_if(running.begin(), running.end(), [task](const Running& r) { return r.task == task; });
  DEEPSIM_ASSERT(it != running.end(), "finish() of a compute task that is not running");
  running.erase(it);  // erase, not swap-pop: keeps re-timing order (and so update order) by start time
}

void SmSharing::hold(std::int32_t gpu, std::int32_t sms) {
  if (!modelled(gpu) || sms == 0) return;
  Gpu& g = gpus_[static_cast<std::size_t>(gpu)];
  g.held += sms;
  if (!g.dirty) {
    g.dirty = true;
    dirty_.push_back(gpu);
  }
}

void SmSharing::release(std::int32_t gpu, std::int32_t sms) {
  if (!modelled(gpu) || sms == 0) return;
  Gpu& g = gpus_[static_cast<std::size_t>(gpu)];
  DEEPSIM_ASSERT(g.held >= sms, "released more SMs than held");
  g.held -= sms;
  if (!g.dirty) {
    g.dirty = true;
    dirty_.push_back(gpu);
  }
}

void SmSharing::settle(Time now, std::vector<Update>& updates) {
  for (const std::int32_t gpu : dirty_) {
    Gpu& g = gpus_[static_cast<std::size_t>(gpu)];
    g.dirty = false;
    retime(g, now, updates);
  }
  dirty_.clear();
}

// Advances every running task's work at the availability it ran with, then re-times it at the new one.
void SmSharing::retime(Gpu& g, Time now, std::vector<Update>& updates) {
  const std::int32_t available = std::max(0, g.sms - g.held);
  if (available == g.applied) return;  // e.g. one kernel stopped and another started at this instant
  for (Running& r : g.running) {
    const double done_ps = static_cast<double>((now - r.updated).count_ps()) * g.applied / g.sms;
    r.remaining_work_ps = std::max(0.0, r.remaining_work_ps - done_ps);
    r.updated = now;
    const Time finish = available > 0 ? finish_after(now, r.remaining_work_ps * g.sms / available) : Time::max();
    const std::uint32_t v = ++version_[r.task.value()];
    updates.push_back(Update{r.task, finish, v});
  }
  g.applied = available;
}

}  // namespace deepsim

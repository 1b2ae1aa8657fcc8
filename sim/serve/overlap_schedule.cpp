#include "sim/serve/overlap_schedule.h"

#include "sim/core/error.h"
#include "sim/net/flow_run.h"

namespace deepsim {
namespace {

enum Category : std::uint32_t { kOther = 0, kAttention, kExperts, kDispatch, kCombine, kHead };

}  // namespace

const std::vector<std::string>& OverlapRun::category_names() {
  static const std::vector<std::string> names = {"other", "attention", "experts", "dispatch", "combine", "head"};
  return names;
}

OverlapRun run_overlap_step(const OverlapStep& step) {
  DEEPSIM_ASSERT(step.micro_batches >= 1 && step.micro_batches <= 2, "one or two micro-batches");
  OverlapRun out;
  TaskGraph& g = out.graph;
  const StreamId compute = g.add_stream("gpu0/compute");
  const StreamId comm = g.add_stream("gpu0/comm");
  const int mbs = step.micro_batches;
  std::vector<TaskId> last(static_cast<std::size_t>(mbs));
  std::vector<bool> has_last(static_cast<std::size_t>(mbs), false);
  auto after = [&](int mb, TaskId t) {
    const auto i = static_cast<std::size_t>(mb);
    if (has_last[i]) g.add_dep(last[i], t);
    last[i] = t;
    has_last[i] = true;
  };
  auto label = [&](const std::string& what, int layer, int mb) {
    return g.add_label((layer >= 0 ? "L" + std::to_string(layer) + " " : std::string()) + what + " mb" + std::to_string(mb));
  };
  for (int mb = 0; mb < mbs; ++mb)
    if (step.before > Time::zero()) after(mb, g.add_compute(compute, step.before, label("embedding", -1, mb), 0, kOther));
  for (std::size_t l = 0; l < step.layers.size(); ++l) {
    const LayerStageTimes& s = step.layers[l];
    const int layer = static_cast<int>(l);
    // Added in the order the streams should take them when both are ready: attention of every
    // micro-batch, then their experts; dispatches and combines in micro-batch order.
    std::vector<TaskId> attn(static_cast<std::size_t>(mbs));
    for (int mb = 0; mb < mbs; ++mb) {
      attn[static_cast<std::size_t>(mb)] = g.add_compute(compute, s.attention, label("attention", layer, mb), 0, kAttention);
      after(mb, attn[static_cast<std::size_t>(mb)]);
      if (s.moe) after(mb, g.add_compute(comm, s.dispatch, label("dispatch", layer, mb), 0, kDispatch));
    }
    for (int mb = 0; mb < mbs; ++mb) {
      after(mb, g.add_compute(compute, s.experts, label(s.moe ? "experts" : "ffn", layer, mb), 0, kExperts));
      if (s.moe) after(mb, g.add_compute(comm, s.combine, label("combine", layer, mb), 0, kCombine));
    }
  }
  for (int mb = 0; mb < mbs; ++mb)
    if (step.after > Time::zero()) after(mb, g.add_compute(compute, step.after, label("head", -1, mb), 0, kHead));
  const LinkTable no_links;
  out.run = run(g, no_links, RunOptions{.record_link_bytes = false});
  out.step = out.run.makespan;
  for (const Task& t : g.tasks()) {
    if (t.kind != TaskKind::kCompute) continue;
    if (t.stream == comm) out.comm_busy += t.duration;
    else out.compute_busy += t.duration;
  }
  return out;
}

}  // namespace deepsim

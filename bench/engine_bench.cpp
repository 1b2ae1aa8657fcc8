// Benchmarks of the engine core: the event queue alone, and the loop on a large synthetic DAG.
// Figures and the command that produced them are in docs/performance.md.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "sim/net/flow_run.h"
#include "sim/engine/event_queue.h"

namespace deepsim {
namespace {

// xorshift64: a fixed, fast stream of pseudo-random numbers, so every run times the same work.
struct XorShift {
  std::uint64_t s = 0x9E3779B97F4A7C15ULL;
  std::uint64_t operator()() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

struct Payload {
  std::uint32_t kind;
  std::uint32_t id;
  std::uint32_t version;
};

// Steady state: a queue holding `range(0)` events; each step pops the earliest and schedules one
// up to 1 us later, as a simulation does. One item = one push + one pop.
void BM_EventQueueHold(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  constexpr std::uint64_t kMaxDelayPs = 1'000'000;
  XorShift rng;
  EventQueue<Payload> q;
  q.reserve(pending + 1);
  for (std::size_t i = 0; i < pending; ++i) {
    q.push(Time::ps(static_cast<Time::rep>(rng() % kMaxDelayPs)), Payload{0, static_cast<std::uint32_t>(i), 0});
  }
  for (auto _ : state) {
    const auto e = q.pop();
    q.push(e.time + Time::ps(static_cast<Time::rep>(rng() % kMaxDelayPs)), e.payload);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EventQueueHold)->Arg(64)->Arg(1024)->Arg(65536)->Arg(1 << 20);

// A synthetic step-like DAG: `streams` compute streams (GPUs), each a chain of tasks; every task also
// waits for a random earlier task on another stream (a cross-GPU dependency) through a short delay
// (a launch or a handshake). Tasks: streams x per_stream compute + as many delays.
TaskGraph synthetic_dag(int streams, int per_stream) {
  XorShift rng;
  TaskGraph g;
  std::vector<StreamId> ids;
  std::vector<std::vector<TaskId>> chain(static_cast<std::size_t>(streams));
  for (int s = 0; s < streams; ++s) ids.push_back(g.add_stream("s"));
  for (int k = 0; k < per_stream; ++k) {
    for (int s = 0; s < streams; ++s) {
      const TaskId t = g.add_compute(ids[static_cast<std::size_t>(s)], Time::ns(static_cast<Time::rep>(1 + rng() % 1000)));
      auto& mine = chain[static_cast<std::size_t>(s)];
      if (!mine.empty()) g.add_dep(mine.back(), t);
      const auto& other = chain[static_cast<std::size_t>((s + 1 + static_cast<int>(rng() % (streams - 1))) % streams)];
      if (!other.empty()) {
        const TaskId d = g.add_delay(Time::ns(static_cast<Time::rep>(rng() % 50)));
        g.add_dep(other[rng() % other.size()], d);
        g.add_dep(d, t);
      }
      mine.push_back(t);
    }
  }
  return g;
}

void BM_EngineSyntheticDag(benchmark::State& state) {
  const TaskGraph g = synthetic_dag(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  const LinkTable links;
  std::uint64_t events = 0;
  for (auto _ : state) {
    const RunResult r = run(g, links);
    events = r.events;
    benchmark::DoNotOptimize(r.makespan);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(g.size()));
  state.counters["tasks"] = static_cast<double>(g.size());
  state.counters["events"] = static_cast<double>(events);
  state.counters["tasks/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * static_cast<double>(g.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EngineSyntheticDag)->Args({256, 400})->Args({2048, 100})->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace deepsim

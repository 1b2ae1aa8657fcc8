#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "sim/net/flow_run.h"
#include "sim/report/chrome_trace.h"

namespace deepsim {
namespace {

TEST(ChromeTrace, ComputeSlicesSendOnTheSendersTrackWithAnArrowAndALinkCounter) {
  TaskGraph g;
  const StreamId s0 = g.add_stream("gpu0/compute");
  const StreamId s1 = g.add_stream("gpu1/compute");
  LinkTable links;
  const LinkId l = links.add({LinkClass::kNicLeaf, Bandwidth::gb_per_s(50), Bandwidth::gb_per_s(50), Time::zero(), 0});
  // gpu0 computes 10 us, then sends 500 kB (10 us at 50 GB/s), then gpu1 computes 5 us: ends at 25 us.
  const TaskId a = g.add_compute(s0, Time::us(10), g.add_label("attn"), 0, 1);
  const LinkId path[] = {l};
  const TaskId f = g.add_flow(path, Bytes(500e3), Time::zero(), g.add_label("send"), 0, 2);
  const TaskId b = g.add_compute(s1, Time::us(5), g.add_label("mlp"), 1, 1);
  g.add_dep(a, f);
  g.add_dep(f, b);
  const RunResult r = run(g, links);
  ASSERT_EQ(r.makespan, Time::us(25));

  const std::vector<std::string> cats = {"other", "compute", "p2p"};
  std::ostringstream out;
  write_chrome_trace(out, g, r, links, {cats, 64});
  const auto j = nlohmann::json::parse(out.str());
  int slices = 0, starts = 0, finishes = 0, counters = 0;
  for (const auto& e : j["traceEvents"]) {
    const std::string ph = e["ph"];
    if (ph == "X") {
      ++slices;
      if (e["name"] == "mlp") {
        EXPECT_DOUBLE_EQ(e["ts"].get<double>(), 20.0);
        EXPECT_DOUBLE_EQ(e["dur"].get<double>(), 5.0);
        EXPECT_EQ(e["pid"], 1);
        EXPECT_EQ(e["cat"], "compute");
      }
      if (e["name"] == "send") {  // on the sending GPU's own process, as a slice (not an async event)
        EXPECT_EQ(e["pid"], 0);
        EXPECT_EQ(e["cat"], "p2p");
        EXPECT_DOUBLE_EQ(e["ts"].get<double>(), 10.0);
        EXPECT_DOUBLE_EQ(e["dur"].get<double>(), 10.0);
        EXPECT_EQ(e["args"]["bytes"], 500000);
      }
    }
    if (ph == "s") {
      ++starts;
      EXPECT_EQ(e["pid"], 0);
    }
    if (ph == "f") {
      ++finishes;
      EXPECT_EQ(e["pid"], 1);  // the arrow ends on the receiver's slice
      EXPECT_DOUBLE_EQ(e["ts"].get<double>(), 20.0);
    }
    if (ph == "C" && e["name"] == "utilisation nic-leaf (%)") {
      ++counters;
      if (e["ts"].get<double>() == 10.0) {
        EXPECT_DOUBLE_EQ(e["args"]["percent"].get<double>(), 100.0);
      }
    }
    EXPECT_NE(ph, "b");  // no async slices: they landed on tracks named after the slice
  }
  EXPECT_EQ(slices, 3);
  EXPECT_EQ(starts, 1);
  EXPECT_EQ(finishes, 1);
  EXPECT_GE(counters, 2);  // 0 at t = 0, 100% from 10 us, 0 again at 20 us
}

}  // namespace
}  // namespace deepsim

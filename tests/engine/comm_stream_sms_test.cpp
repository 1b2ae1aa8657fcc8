#include <gtest/gtest.h>

#include "sim/net/flow_run.h"

namespace deepsim {
namespace {

// GPU 0 has 4 SMs. A communication kernel on the comm stream holds 1 SM for 100 ns while a compute
// kernel of nominal 300 ns runs beside it. Processor sharing: during the first 100 ns compute progresses
// at 3/4, doing 75 ns of work; the remaining 225 ns run at full speed, so compute ends at 325 ns. The
// communication kernel is not slowed: it ends at 100 ns.
TEST(CommStreamSms, CommunicationKernelOnAStreamHoldsSmsWithoutSlowingItself) {
  TaskGraph g;
  g.set_gpu_sms(0, 4);
  const StreamId compute = g.add_stream("gpu0/compute");
  const StreamId comm = g.add_stream("gpu0/comm");
  const TaskId c = g.add_compute(compute, Time::ns(300), 0, 0);
  const TaskId a2a = g.add_compute(comm, Time::ns(100), 0, 0);
  g.set_comm_sms(a2a, 1);
  LinkTable links;
  const RunResult r = run(g, links);
  EXPECT_EQ(r.tasks[a2a.value()].end, Time::ns(100));
  EXPECT_EQ(r.tasks[c.value()].end, Time::ns(325));
}

}  // namespace
}  // namespace deepsim

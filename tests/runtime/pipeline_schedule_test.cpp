// 1F1B action lists: every micro-batch is run forward then backward once per stage, at most pp - stage
// micro-batches are in flight on a stage, and the transfers of neighbouring stages match one to one in the
// same order (a send is met by the receive at the same position), so the NCCL pairs cannot deadlock.
#include <gtest/gtest.h>

#include <algorithm>
#include <utility>

#include "runtime/pipeline_schedule.h"

namespace deepsim::runtime {
namespace {

// The activations stage s sends forward, in order, and the ones s+1 receives; same for gradients backward.
std::vector<int> sends_forward(const std::vector<PipeAction>& a) {
  std::vector<int> v;
  for (const auto& x : a)
    if (x.op == PipeOp::kSendForward || x.op == PipeOp::kSendForwardRecvBackward) v.push_back(x.mb);
  return v;
}
std::vector<int> recvs_forward(const std::vector<PipeAction>& a) {
  std::vector<int> v;
  for (const auto& x : a) {
    if (x.op == PipeOp::kRecvForward) v.push_back(x.mb);
    if (x.op == PipeOp::kSendBackwardRecvForward) v.push_back(x.mb2);
  }
  return v;
}
std::vector<int> sends_backward(const std::vector<PipeAction>& a) {
  std::vector<int> v;
  for (const auto& x : a)
    if (x.op == PipeOp::kSendBackward || x.op == PipeOp::kSendBackwardRecvForward) v.push_back(x.mb);
  return v;
}
std::vector<int> recvs_backward(const std::vector<PipeAction>& a) {
  std::vector<int> v;
  for (const auto& x : a) {
    if (x.op == PipeOp::kRecvBackward) v.push_back(x.mb);
    if (x.op == PipeOp::kSendForwardRecvBackward) v.push_back(x.mb2);
  }
  return v;
}

TEST(OneFOneB, ComputeOrderInFlightBoundAndMatchingTransfers) {
  for (int pp : {1, 2, 4}) {
    for (int m : {1, 3, 4, 8}) {
      for (int s = 0; s < pp; ++s) {
        SCOPED_TRACE("pp " + std::to_string(pp) + " m " + std::to_string(m) + " stage " + std::to_string(s));
        const auto a = one_f_one_b(pp, s, m);
        std::vector<int> f_done(static_cast<std::size_t>(m), 0);
        std::vector<int> b_done(static_cast<std::size_t>(m), 0);
        int in_flight = 0;
        int max_in_flight = 0;
        for (const auto& x : a) {
          if (x.op == PipeOp::kForward) {
            ++f_done[static_cast<std::size_t>(x.mb)];
            max_in_flight = std::max(max_in_flight, ++in_flight);
          }
          if (x.op == PipeOp::kBackward) {
            ASSERT_EQ(f_done[static_cast<std::size_t>(x.mb)], 1) << "backward before forward";
            ++b_done[static_cast<std::size_t>(x.mb)];
            --in_flight;
          }
        }
        for (int i = 0; i < m; ++i) {
          EXPECT_EQ(f_done[static_cast<std::size_t>(i)], 1);
          EXPECT_EQ(b_done[static_cast<std::size_t>(i)], 1);
        }
        EXPECT_LE(max_in_flight, std::min(pp - s, m));
        if (s + 1 < pp) {
          const auto next = one_f_one_b(pp, s + 1, m);
          EXPECT_EQ(sends_forward(a), recvs_forward(next));
          EXPECT_EQ(recvs_backward(a), sends_backward(next));
        }
      }
    }
  }
}

TEST(OneFOneB, FourStagesEightMicroBatchesLastStageAlternates) {
  const auto a = one_f_one_b(4, 3, 8);
  std::string s;
  for (const auto& x : a) s += to_string(x) + " ";
  EXPECT_EQ(s.substr(0, 40), "recvF(0) F(0) B(0) sendB+recvF(0,1) F(1)");
}

}  // namespace
}  // namespace deepsim::runtime

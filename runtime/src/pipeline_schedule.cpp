// 1F1B and GPipe action lists (see pipeline_schedule.h).
#include "runtime/pipeline_schedule.h"

#include <algorithm>

namespace deepsim::runtime {

std::vector<PipeAction> one_f_one_b(int stages, int stage, int micro_batches) {
  const bool first = stage == 0;
  const bool last = stage == stages - 1;
  const int warmup = std::min(stages - stage - 1, micro_batches);
  const int steady = micro_batches - warmup;
  std::vector<PipeAction> a;
  int next_f = 0;
  int next_b = 0;
  for (int i = 0; i < warmup; ++i, ++next_f) {
    if (!first) a.push_back({PipeOp::kRecvForward, next_f, -1});
    a.push_back({PipeOp::kForward, next_f, -1});
    if (!last) a.push_back({PipeOp::kSendForward, next_f, -1});
  }
  if (steady > 0 && !first) a.push_back({PipeOp::kRecvForward, next_f, -1});
  for (int i = 0; i < steady; ++i, ++next_f, ++next_b) {
    a.push_back({PipeOp::kForward, next_f, -1});
    if (!last) a.push_back({PipeOp::kSendForwardRecvBackward, next_f, next_b});
    a.push_back({PipeOp::kBackward, next_b, -1});
    if (first) continue;
    if (i == steady - 1) {
      a.push_back({PipeOp::kSendBackward, next_b, -1});
    } else {
      a.push_back({PipeOp::kSendBackwardRecvForward, next_b, next_f + 1});
    }
  }
  for (; next_b < micro_batches; ++next_b) {
    if (!last) a.push_back({PipeOp::kRecvBackward, next_b, -1});
    a.push_back({PipeOp::kBackward, next_b, -1});
    if (!first) a.push_back({PipeOp::kSendBackward, next_b, -1});
  }
  return a;
}

std::vector<PipeAction> gpipe(int stages, int stage, int micro_batches) {
  const bool first = stage == 0;
  const bool last = stage == stages - 1;
  std::vector<PipeAction> a;
  for (int m = 0; m < micro_batches; ++m) {
    if (!first) a.push_back({PipeOp::kRecvForward, m, -1});
    a.push_back({PipeOp::kForward, m, -1});
    if (!last) a.push_back({PipeOp::kSendForward, m, -1});
  }
  for (int m = micro_batches - 1; m >= 0; --m) {
    if (!last) a.push_back({PipeOp::kRecvBackward, m, -1});
    a.push_back({PipeOp::kBackward, m, -1});
    if (!first) a.push_back({PipeOp::kSendBackward, m, -1});
  }
  return a;
}

std::string to_string(const PipeAction& a) {
  static const char* const kNames[] = {"recvF", "F", "sendF", "sendF+recvB", "B", "sendB", "sendB+recvF", "recvB"};
  std::string s = std::string(kNames[static_cast<int>(a.op)]) + "(" + std::to_string(a.mb);
  if (a.mb2 >= 0) s += "," + std::to_string(a.mb2);
  return s + ")";
}

}  // namespace deepsim::runtime

// The 1F1B pipeline schedule (PipeDream-Flush, as Megatron-LM runs it) for one stage, as a list of actions:
// compute (F, B of a micro-batch) and point-to-point transfers, where each steady-state send is grouped
// with the receive that follows it (send-forward + receive-backward; send-backward + receive-forward) so
// that neighbouring stages never wait on each other in a cycle. With pp = 1 it is F, B per micro-batch.
#pragma once

#include <string>
#include <vector>

namespace deepsim::runtime {

enum class PipeOp {
  kRecvForward,             // activation of micro-batch `mb` from the previous stage
  kForward,
  kSendForward,             // activation of `mb` to the next stage
  kSendForwardRecvBackward, // send activation of `mb`, receive the gradient of `mb2` (one NCCL group)
  kBackward,
  kSendBackward,            // input gradient of `mb` to the previous stage
  kSendBackwardRecvForward, // send gradient of `mb`, receive activation of `mb2` (one NCCL group)
  kRecvBackward,            // output gradient of `mb` from the next stage
};

struct PipeAction {
  PipeOp op;
  int mb = -1;
  int mb2 = -1;  // second micro-batch of a grouped send+receive
};

[[nodiscard]] std::vector<PipeAction> one_f_one_b(int stages, int stage, int micro_batches);
// GPipe: all forwards, then all backwards (for comparison; same transfers, no grouping).
[[nodiscard]] std::vector<PipeAction> gpipe(int stages, int stage, int micro_batches);
[[nodiscard]] std::string to_string(const PipeAction& a);

}  // namespace deepsim::runtime

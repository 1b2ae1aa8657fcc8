// CommOp: a communication task of the engine, typed. What it moves and among whom, never how long it
// takes: the CommModel bound to the run (comm_model.h) times it when it starts.
//  - kind: the collective (send/recv, all-reduce, reduce-scatter, all-gather, all-to-all(v), DeepEP
//    dispatch and combine, and a ring shift: one step of a ring, every member to the next at once);
//  - group: the participating GPUs (global ids, in ring order), an index into TaskGraph::comm_groups();
//    a send/recv's group is {source, destination};
//  - bytes: nccl-tests' S, the per-rank buffer (reduce-scatter / all-gather: the whole gathered buffer;
//    all-to-all: what one rank sends in total); dispatch / combine: the bytes of one token copy;
//  - routing: dispatch / combine / all-to-all(v): a handle the CommModel resolves to per-token
//    destinations (kNoRouting: uniform);
//  - dtype: of the payload (for reports, and for the protocol rules a model may apply);
//  - pass: forward or backward (DeepEP's notify kernel runs in full only before a forward dispatch);
//  - sms: SMs the kernel holds on each GPU of `holders` (or on the task's gpu when holders is kNoGroup)
//    from its start to its end; compute beside it slows (sm_sharing.h).
#pragma once

#include <cstdint>

#include "sim/core/units.h"

namespace deepsim {

enum class CommKind : std::uint8_t {
  kSendRecv,
  kAllReduce,
  kReduceScatter,
  kAllGather,
  kAllToAll,
  kDispatch,
  kCombine,
  kRingShift,  // every member sends S to the next in group order, all at once (a CP ring step)
};
inline constexpr int kCommKindCount = 8;
[[nodiscard]] const char* to_string(CommKind k);

// Which pass of training the op belongs to: DeepEP's notify kernel differs (a forward dispatch computes
// the layout; every later pass reuses it).
enum class CommPass : std::uint8_t { kForward, kBackward };

enum class CommDtype : std::uint8_t { kFp8, kBf16, kFp32 };
[[nodiscard]] const char* to_string(CommDtype d);
[[nodiscard]] constexpr double bytes_of(CommDtype d) { return d == CommDtype::kFp8 ? 1.0 : d == CommDtype::kBf16 ? 2.0 : 4.0; }

inline constexpr std::uint32_t kNoGroup = 0xffffffffu;
inline constexpr std::uint32_t kNoRouting = 0xffffffffu;

struct CommOp {
  CommKind kind = CommKind::kSendRecv;
  std::uint32_t group = kNoGroup;    // TaskGraph::comm_group(group): members, global GPU ids
  Bytes bytes;
  std::uint32_t routing = kNoRouting;
  CommDtype dtype = CommDtype::kBf16;
  CommPass pass = CommPass::kForward;
  std::int32_t sms = 0;
  std::uint32_t holders = kNoGroup;  // GPUs whose SMs it holds; kNoGroup: the task's gpu
};

}  // namespace deepsim

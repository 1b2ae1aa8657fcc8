// Processes and NCCL communicators of a run: one process per GPU, started by scripts/exec-launch.sh with
// RANK, WORLD_SIZE, LOCAL_RANK and DEEPSIM_NCCL_ID_FILE set. Rank 0 writes the NCCL unique id to that file
// (write to a temporary, then rename: readers never see half a file); the others poll for it. Rank layout:
// rank = stage * dp + dp_rank, so a stage's dp ranks are consecutive (the EP group, usually one node).
#pragma once

#include <nccl.h>

#include <memory>
#include <string>
#include <type_traits>

#include "runtime/config.h"

#define DEEPSIM_NCCL_CHECK(call)                                                                       \
  do {                                                                                                 \
    const ncclResult_t deepsim_nccl_ = (call);                                                         \
    if (deepsim_nccl_ != ncclSuccess)                                                                  \
      ::deepsim::runtime::throw_nccl(#call, ncclGetErrorString(deepsim_nccl_), __FILE__, __LINE__);    \
  } while (false)

namespace deepsim::runtime {

[[noreturn]] void throw_nccl(const char* what, const char* err, const char* file, int line);

struct DistEnv {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string id_file;  // DEEPSIM_NCCL_ID_FILE; required when world_size > 1
};

// From the environment (RANK, WORLD_SIZE, LOCAL_RANK, DEEPSIM_NCCL_ID_FILE); defaults to a single process.
[[nodiscard]] DistEnv dist_env_from_environment();

struct RankCoords {
  int stage = 0;    // pipeline stage
  int dp_rank = 0;  // data-parallel rank inside the stage (= ep rank when ep = dp)
};
[[nodiscard]] RankCoords rank_coords(const ParallelConfig& p, int rank);
[[nodiscard]] int rank_of(const ParallelConfig& p, int stage, int dp_rank);

struct NcclCommDeleter {
  void operator()(ncclComm_t c) const noexcept { ncclCommDestroy(c); }
};
using NcclComm = std::unique_ptr<std::remove_pointer_t<ncclComm_t>, NcclCommDeleter>;

// The communicators of one rank: world (pipeline send/recv), and dp (ZeRO-1 and EP all-to-all within a
// stage). With world_size 1 both are single-rank communicators, so the same code runs.
class Communicators {
 public:
  Communicators(const DistEnv& env, const ParallelConfig& p);
  [[nodiscard]] ncclComm_t world() const { return world_.get(); }
  [[nodiscard]] ncclComm_t dp() const { return dp_.get(); }
  [[nodiscard]] const RankCoords& coords() const { return coords_; }
  [[nodiscard]] int rank() const { return rank_; }

 private:
  int rank_ = 0;
  RankCoords coords_;
  NcclComm world_;
  NcclComm dp_;
};

}  // namespace deepsim::runtime

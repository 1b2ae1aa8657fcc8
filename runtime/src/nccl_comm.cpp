// Process environment, unique-id exchange and NCCL communicators (see nccl_comm.h).
#include "runtime/nccl_comm.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace deepsim::runtime {
namespace {

constexpr auto kIdPollInterval = std::chrono::milliseconds(50);
constexpr auto kIdTimeout = std::chrono::seconds(120);

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::atoi(v) : fallback;
}

ncclUniqueId exchange_unique_id(const DistEnv& env) {
  ncclUniqueId id{};
  if (env.world_size == 1) {
    DEEPSIM_NCCL_CHECK(ncclGetUniqueId(&id));
    return id;
  }
  if (env.id_file.empty()) throw std::runtime_error("WORLD_SIZE > 1 needs DEEPSIM_NCCL_ID_FILE (scripts/exec-launch.sh)");
  if (env.rank == 0) {
    DEEPSIM_NCCL_CHECK(ncclGetUniqueId(&id));
    const std::string tmp = env.id_file + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary);
      out.write(reinterpret_cast<const char*>(&id), sizeof(id));
      if (!out) throw std::runtime_error(tmp + ": cannot write the NCCL id");
    }
    std::filesystem::rename(tmp, env.id_file);
    return id;
  }
  const auto deadline = std::chrono::steady_clock::now() + kIdTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(env.id_file, std::ios::binary);
    if (in && in.read(reinterpret_cast<char*>(&id), sizeof(id))) return id;
    std::this_thread::sleep_for(kIdPollInterval);
  }
  throw std::runtime_error(env.id_file + ": no NCCL id from rank 0 within 120 s");
}

}  // namespace

void throw_nccl(const char* what, const char* err, const char* file, int line) {
  throw std::runtime_error(std::string(file) + ":" + std::to_string(line) + ": " + what + " failed: " + err);
}

DistEnv dist_env_from_environment() {
  DistEnv e;
  e.rank = env_int("RANK", 0);
  e.world_size = env_int("WORLD_SIZE", 1);
  e.local_rank = env_int("LOCAL_RANK", e.rank);
  if (const char* f = std::getenv("DEEPSIM_NCCL_ID_FILE")) e.id_file = f;
  if (e.world_size < 1 || e.rank < 0 || e.rank >= e.world_size)
    throw std::runtime_error("bad RANK/WORLD_SIZE: " + std::to_string(e.rank) + "/" + std::to_string(e.world_size));
  return e;
}

RankCoords rank_coords(const ParallelConfig& p, int rank) { return RankCoords{rank / p.dp, rank % p.dp}; }
int rank_of(const ParallelConfig& p, int stage, int dp_rank) { return stage * p.dp + dp_rank; }

Communicators::Communicators(const DistEnv& env, const ParallelConfig& p) : rank_(env.rank), coords_(rank_coords(p, env.rank)) {
  if (env.world_size != p.world_size())
    throw std::runtime_error("WORLD_SIZE " + std::to_string(env.world_size) + " but the config needs pp x dp = " +
                             std::to_string(p.world_size()) + " processes");
  const ncclUniqueId id = exchange_unique_id(env);
  ncclComm_t world = nullptr;
  DEEPSIM_NCCL_CHECK(ncclCommInitRank(&world, env.world_size, id, env.rank));
  world_.reset(world);
  ncclComm_t dp = nullptr;
  DEEPSIM_NCCL_CHECK(ncclCommSplit(world, coords_.stage, coords_.dp_rank, &dp, nullptr));
  dp_.reset(dp);
}

}  // namespace deepsim::runtime

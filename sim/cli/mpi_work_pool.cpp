#include "sim/cli/mpi_work_pool.h"

#include <cstdlib>
#include <stdexcept>
#include <string>

#ifdef DEEPSIM_HAVE_MPI
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <stdexcept>
#include <thread>

#include "sim/core/error.h"
#endif

namespace deepsim::cli {

#ifdef DEEPSIM_HAVE_MPI
namespace {

constexpr int kTagWork = 1;
constexpr int kTagResult = 2;
constexpr std::uint64_t kDone = ~std::uint64_t{0};  // "this run() is over" in place of an index

// Rank 0 waits for results by polling with short sleeps: Open MPI's blocking receive spins a core, and
// the coordinator shares the machine with workers (mpirun --oversubscribe on a small box).
void wait_for_message(int tag, MPI_Status& status) {
  for (;;) {
    int flag = 0;
    MPI_Iprobe(MPI_ANY_SOURCE, tag, MPI_COMM_WORLD, &flag, &status);
    if (flag != 0) return;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

class MpiWorkPool final : public WorkPool {
 public:
  MpiWorkPool() {
    MPI_Init(nullptr, nullptr);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiWorkPool() override { MPI_Finalize(); }
  MpiWorkPool(const MpiWorkPool&) = delete;
  MpiWorkPool& operator=(const MpiWorkPool&) = delete;

  [[nodiscard]] bool coordinator() const override { return rank_ == 0; }

  void run(std::uint64_t n, const Compute& compute, const Consume& consume) override {
    if (rank_ == 0)
      coordinate(n, consume);
    else
      work(compute);
  }

  void share(std::string& bytes) override {
    std::uint64_t len = bytes.size();
    MPI_Bcast(&len, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    bytes.resize(static_cast<std::size_t>(len));
    // Broadcast in chunks below INT_MAX bytes (MPI counts are ints).
    constexpr std::size_t kChunk = 1U << 30;
    for (std::size_t at = 0; at < bytes.size(); at += kChunk)
      MPI_Bcast(bytes.data() + at, static_cast<int>(std::min(kChunk, bytes.size() - at)), MPI_CHAR, 0, MPI_COMM_WORLD);
  }

 private:
  static void send_index(int to, std::uint64_t i) { MPI_Send(&i, 1, MPI_UINT64_T, to, kTagWork, MPI_COMM_WORLD); }

  void coordinate(std::uint64_t n, const Consume& consume) {
    std::uint64_t next = 0, next_consume = 0;
    int busy = 0;
    for (int w = 1; w < size_; ++w) {
      if (next < n) {
        send_index(w, next++);
        ++busy;
      } else {
        send_index(w, kDone);
      }
    }
    std::map<std::uint64_t, std::string> pending;
    std::string error;
    while (busy > 0) {
      MPI_Status st;
      wait_for_message(kTagResult, st);
      int count = 0;
      MPI_Get_count(&st, MPI_CHAR, &count);
      std::string msg(static_cast<std::size_t>(count), '\0');
      MPI_Recv(msg.data(), count, MPI_CHAR, st.MPI_SOURCE, kTagResult, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      DEEPSIM_ASSERT(msg.size() >= sizeof(std::uint64_t) + 1, "an MPI result holds its index and status");
      std::uint64_t i = 0;
      std::memcpy(&i, msg.data(), sizeof i);
      const bool ok = msg[sizeof i] != 0;
      std::string bytes = msg.substr(sizeof i + 1);
      if (!ok && error.empty()) error = "rank " + std::to_string(st.MPI_SOURCE) + ": " + bytes;
      if (ok) pending.emplace(i, std::move(bytes));
      if (next < n && error.empty()) {
        send_index(st.MPI_SOURCE, next++);
      } else {
        send_index(st.MPI_SOURCE, kDone);
        --busy;
      }
      if (!error.empty()) continue;
      try {
        for (auto it = pending.find(next_consume); it != pending.end(); it = pending.find(next_consume)) {
          consume(it->first, std::move(it->second));
          pending.erase(it);
          ++next_consume;
        }
      } catch (const std::exception& e) {
        error = e.what();
      }
    }
    if (!error.empty()) throw std::runtime_error(error);
  }

  static void work(const Compute& compute) {
    for (;;) {
      std::uint64_t i = 0;
      MPI_Recv(&i, 1, MPI_UINT64_T, 0, kTagWork, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (i == kDone) return;
      std::string msg(sizeof i, '\0');
      std::memcpy(msg.data(), &i, sizeof i);
      try {
        const std::string bytes = compute(i);
        msg += '\1';
        msg += bytes;
      } catch (const std::exception& e) {
        msg += '\0';
        msg += e.what();
      }
      MPI_Send(msg.data(), static_cast<int>(msg.size()), MPI_CHAR, 0, kTagResult, MPI_COMM_WORLD);
    }
  }

  int rank_ = 0, size_ = 1;
};

// How many ranks mpirun started, from the launcher's environment (Open MPI, PMIx, MPICH/Hydra).
int launched_ranks() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE"})
    if (const char* v = std::getenv(var)) return std::atoi(v);
  return 0;
}

}  // namespace

std::unique_ptr<WorkPool> make_mpi_work_pool() {
  // Not under mpirun (or one rank): no MPI_Init, which would cost a singleton launch for nothing.
  if (launched_ranks() <= 1) return nullptr;
  return std::make_unique<MpiWorkPool>();
}
#else
std::unique_ptr<WorkPool> make_mpi_work_pool() {
  const char* v = std::getenv("OMPI_COMM_WORLD_SIZE");
  if (v != nullptr && std::atoi(v) > 1)
    throw std::runtime_error("started by mpirun, but this deepsim was built without MPI (DEEPSIM_WITH_MPI): "
                             "every rank would run the whole batch; install libopenmpi-dev and rebuild");
  return nullptr;
}
#endif

}  // namespace deepsim::cli

// WorkPool: where the independent items of a batch or a plan search run. Items are numbered 0..n-1;
// compute(i) returns the item's result as bytes, and consume(i, bytes) sees the results strictly in
// item order on the coordinating process, whatever order they finished in. Results as bytes let one
// interface cover threads in this process (ThreadWorkPool, below) and processes under MPI
// (sim/cli/mpi_work_pool.h): same items, same bytes, same consumer order, so the files written do not
// depend on where the work ran.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace deepsim {

class WorkPool {
 public:
  using Compute = std::function<std::string(std::uint64_t)>;
  using Consume = std::function<void(std::uint64_t, std::string&&)>;

  virtual ~WorkPool() = default;
  // compute must not throw for an item's own failure (encode it in the bytes); an exception from
  // compute or consume stops the run and is rethrown here, on the coordinator.
  virtual void run(std::uint64_t n, const Compute& compute, const Consume& consume) = 0;
  // True in the process that consumes results and writes files (the only one without MPI).
  [[nodiscard]] virtual bool coordinator() const { return true; }
  // Gives every process the coordinator's copy of `bytes` (a no-op in one process).
  virtual void share(std::string& bytes) { (void)bytes; }

  // run() collecting the results, on every process (share() of the coordinator's list).
  [[nodiscard]] std::vector<std::string> map(std::uint64_t n, const Compute& compute);
};

// std::threads in this process. At most `window` items run ahead of the next one to consume, so a huge
// sweep keeps memory flat.
class ThreadWorkPool final : public WorkPool {
 public:
  explicit ThreadWorkPool(int threads, std::uint64_t window = 0);
  void run(std::uint64_t n, const Compute& compute, const Consume& consume) override;

 private:
  int threads_;
  std::uint64_t window_;
};

// Lists of byte strings packed into one (length-prefixed), for share().
[[nodiscard]] std::string pack_strings(const std::vector<std::string>& items);
[[nodiscard]] std::vector<std::string> unpack_strings(const std::string& packed);

}  // namespace deepsim

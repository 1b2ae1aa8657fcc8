// MpiWorkPool: the WorkPool (sim/report/work_pool.h) of `mpirun -np N deepsim batch|plan ...`. Rank 0
// coordinates: it hands item indices to the N-1 other ranks one at a time, as each finishes its last
// (dynamic, so slow points do not hold up fast ones), consumes results in item order and writes every
// file; the others compute. An item's own failure is part of its result bytes, so a failing point is a
// row like any other; an exception in a worker (not the item's fault) is sent to rank 0, which lets the
// outstanding items finish and then throws it. Only the program links MPI; the library never sees it.
#pragma once

#include <memory>

#include "sim/report/work_pool.h"

namespace deepsim::cli {

// The MPI pool when this process was started by mpirun with more than one rank and deepsim was built
// with MPI; null otherwise (run in this process's threads). MPI is finalised when the pool is destroyed.
[[nodiscard]] std::unique_ptr<WorkPool> make_mpi_work_pool();

}  // namespace deepsim::cli

// deepsim topo / net-bench: the fabric of a scenario and collectives simulated on it.
#include "sim/cli/commands.h"
#include "sim/core/error.h"

namespace deepsim::cli {

int run_topo(const Args&) { throw InputError({}, "deepsim topo", "not available yet"); }
int run_net_bench(const Args&) { throw InputError({}, "deepsim net-bench", "not available yet"); }

}  // namespace deepsim::cli

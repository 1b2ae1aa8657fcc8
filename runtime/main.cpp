// deepsim-exec: trains a scaled DeepSeek-V3-architecture model on real GPUs (or the CPU reference) and writes
// the measured run (docs/runtime.md). Everything lives in the runtime library; see runtime/cli.h.
#include <iostream>

#include "runtime/cli.h"

int main(int argc, char** argv) { return deepsim::runtime::run_cli(argc, argv, std::cout, std::cerr); }

// deepsim-calibrate: fits calibration profiles from kernel measurements (calibrate/src/cli.h has the
// commands). Everything lives in the library so tests drive the same code without a process.
#include <iostream>
#include <string>
#include <vector>

#include "calibrate/src/cli.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  return deepsim::calib::run_calibrate(args, std::cout, std::cerr);
}

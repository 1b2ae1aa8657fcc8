// deepsim diff A B: two results side by side (sim/report/result_diff.h): which inputs changed and how each
// headline, step phase and run phase moved; a table, or JSON with --json.
#include <iostream>

#include "sim/cli/commands.h"
#include "sim/report/result_diff.h"

namespace deepsim::cli {

int run_diff(const Args& args) {
  std::string file_a, file_b;
  const auto a = read_result(args.positional().at(0), file_a);
  const auto b = read_result(args.positional().at(1), file_b);
  ResultDiff d = diff_results(a, b);
  d.a_file = file_a;
  d.b_file = file_b;
  if (args.has("json"))
    std::cout << diff_json(d).dump(2) << "\n";
  else
    std::cout << format_diff(d);
  return kExitOk;
}

}  // namespace deepsim::cli

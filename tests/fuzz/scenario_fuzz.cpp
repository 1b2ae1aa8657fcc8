// libFuzzer harness for the scenario loader and `--set` overrides (docs/scenario.md, "Fuzzing").
// Input: a scenario's YAML text, optionally followed by a line "%%set" and one override per line
// ("parallel.pp=8"), so the fuzzer mutates both the file and the command line.
// Contract checked on every input:
//  1. the loader either returns a Scenario or throws deepsim::InputError; anything else escaping (another
//     exception, a crash, a hang, unbounded memory) is a bug libFuzzer reports;
//  2. an accepted scenario round-trips: to_yaml(s) loads again, and writing that gives the same bytes.
// Build and run: scripts/fuzz.sh [seconds] (clang, -fsanitize=fuzzer,address,undefined).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/error.h"
#include "sim/scenario/loader.h"

namespace {

constexpr std::string_view kSetMarker = "\n%%set\n";

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string line(text.substr(0, nl));
    if (!line.empty()) out.push_back(std::move(line));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

[[noreturn]] void contract_broken(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz contract broken: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view yaml = input;
  std::vector<std::string> overrides;
  if (const auto at = input.find(kSetMarker); at != std::string_view::npos) {
    yaml = input.substr(0, at + 1);
    overrides = split_lines(input.substr(at + kSetMarker.size()));
  }
  deepsim::Scenario s;
  try {
    s = deepsim::load_scenario_text(yaml, "fuzz.yaml", overrides);
  } catch (const deepsim::InputError&) {
    return 0;  // refused cleanly: the contract
  }
  const std::string first = deepsim::to_yaml(s);
  std::string second;
  try {
    second = deepsim::to_yaml(deepsim::load_scenario_text(first, "resolved.yaml"));
  } catch (const deepsim::InputError& e) {
    contract_broken("an accepted scenario's to_yaml does not load again", std::string(e.what()) + "\n" + first);
  }
  if (first != second) contract_broken("to_yaml(load(to_yaml(s))) differs from to_yaml(s)", first + "\n---\n" + second);
  return 0;
}

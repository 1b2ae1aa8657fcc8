// Every command README.md and docs/cli.md show in a ```sh block is run here as written, from the repo
// root, against the built binaries, and must exit with the code the docs promise (0 unless listed in
// kExpectedCode). Two substitutions only: the leading `build/` becomes this build's folder, and `out/`
// becomes a fresh temporary folder, so the test writes nothing into the checkout. A command too slow for
// a unit test, or needing hardware this machine may not have, is in kSkipped with the reason, and a
// skipped command that no longer appears in the docs fails the test (the list cannot go stale).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli/cli_runner.h"

namespace {

namespace fs = std::filesystem;

struct Skip {
  const char* command_prefix;
  const char* reason;
};

// Commands not run here, and why.
constexpr std::array<Skip, 7> kSkipped = {{
    {"scripts/run.sh", "installs packages and builds: it is what built this binary"},
    {"scripts/test.sh", "runs this very test suite (and the sanitizer build and the fuzzer)"},
    {"build/runtime/deepsim-exec", "the executor needs the CUDA build; tests/runtime covers it"},
    {"build/gui/deepsim-gui", "opens a window and waits for the user; tests/gui_window drives it offscreen"},
    {"scripts/gui-screenshots.sh", "rewrites docs/gui/*.png (whole DeepSeek-V3 runs and sweeps); tests/gui_window covers the window"},
    {"build/sim/deepsim batch scenarios/sweeps/pipeline-schedules.yaml",
     "three whole DeepSeek-V3 runs (about a minute); batch is run here on one scenario, and tests/report covers sweeps"},
    {"mpirun ", "a 100-point sweep on MPI ranks (and root needs --allow-run-as-root); the ctest "
                "mpi.batch_and_plan_match_one_process runs batch and plan under mpirun -np 3 and compares the bytes"},
}};

// Commands whose documented exit code is not 0.
const std::map<std::string, int>& expected_code() {
  static const std::map<std::string, int> m = {};
  return m;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The commands of the ```sh / ```bash blocks of a markdown file, trailing "  # comment" removed.
std::vector<std::string> shell_commands(const std::string& markdown) {
  std::vector<std::string> out;
  std::istringstream in(markdown);
  std::string line;
  bool in_sh = false, in_other = false;
  while (std::getline(in, line)) {
    if (line.rfind("```", 0) == 0) {
      if (in_sh || in_other) {
        in_sh = in_other = false;
      } else {
        const std::string lang = line.substr(3);
        in_sh = lang == "sh" || lang == "bash" || lang == "shell";
        in_other = !in_sh;
      }
      continue;
    }
    if (!in_sh) continue;
    if (const auto hash = line.find(" #"); hash != std::string::npos) line.erase(hash);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (!line.empty() && line.front() != '#') out.push_back(line);
  }
  return out;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

using ShellRun = deepsim::test::CliResult;

ShellRun shell(const std::string& cmd) { return deepsim::test::run_shell(cmd + " 2>&1"); }

const Skip* skipped(const std::string& cmd) {
  for (const Skip& s : kSkipped)
    if (cmd.rfind(s.command_prefix, 0) == 0) return &s;
  return nullptr;
}

std::vector<std::string> documented_commands() {
  std::vector<std::string> all;
  for (const char* doc : {"README.md", "docs/cli.md"})
    for (auto& c : shell_commands(read(fs::path(DEEPSIM_SOURCE_DIR) / doc))) all.push_back(std::move(c));
  return all;
}

TEST(DocCommands, TheDocsShowCommands) {
  const auto cmds = documented_commands();
  EXPECT_GE(cmds.size(), 10U);  // README's "Using deepsim" block alone has more
  for (const Skip& s : kSkipped) {
    bool found = false;
    for (const auto& c : cmds) found = found || c.rfind(s.command_prefix, 0) == 0;
    EXPECT_TRUE(found) << "kSkipped lists '" << s.command_prefix << "', which the docs no longer show";
  }
}

TEST(DocCommands, EveryCommandRunsAsWritten) {
  const fs::path tmp = fs::temp_directory_path() / "deepsim_doc_commands_test";
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  std::set<std::string> seen;
  for (const std::string& cmd : documented_commands()) {
    if (!seen.insert(cmd).second) continue;
    if (const Skip* s = skipped(cmd)) {
      std::printf("doc command skipped: %s (%s)\n", cmd.c_str(), s->reason);
      continue;
    }
    std::string run = cmd;
    if (run.rfind("build/", 0) == 0) run = std::string(DEEPSIM_BINARY_DIR) + "/" + run.substr(6);
    run = replace_all(run, " out/", " " + tmp.string() + "/");
    const ShellRun r = shell("cd '" + std::string(DEEPSIM_SOURCE_DIR) + "' && " + run);
    const auto want = expected_code().count(cmd) ? expected_code().at(cmd) : 0;
    EXPECT_EQ(r.code, want) << "documented command: " << cmd << "\nran: " << run << "\n" << r.out;
  }
  fs::remove_all(tmp);
}

}  // namespace

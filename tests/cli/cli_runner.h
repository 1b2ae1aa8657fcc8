// What the CLI tests share: running a shell command (the real `deepsim` binary, DEEPSIM_CLI) and
// capturing its output and exit code, and the small 16-GPU scenario several of them write to a file.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace deepsim::test {

struct CliResult {
  int code = -1;    // the exit status; -1 if the command did not exit normally (or could not start)
  std::string out;  // stdout, plus whatever the command's redirections send there
};

// Runs `command` with /bin/sh and reads its stdout to the end.
[[nodiscard]] inline CliResult run_shell(const std::string& command) {
  CliResult r;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  while (fgets(buf.data(), static_cast<int>(buf.size()), pipe) != nullptr) r.out += buf.data();
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// `deepsim <args> <redirect>`: "2>&1" takes stderr too, "2>/dev/null" stdout only (what a script
// reads). `cwd`: run from that folder (empty: the test's own); `timeout_s` > 0 kills it after that long
// (coreutils `timeout`), so a hang fails the test instead of stalling the suite.
[[nodiscard]] inline CliResult run_deepsim(const std::string& args, const std::string& redirect = "2>&1",
                                           const std::string& cwd = "", int timeout_s = 0) {
  std::string cmd;
  if (!cwd.empty()) cmd += "cd '" + cwd + "' && ";
  if (timeout_s > 0) cmd += "timeout " + std::to_string(timeout_s) + " ";
  cmd += std::string(DEEPSIM_CLI) + " " + args + " " + redirect;
  return run_shell(cmd);
}

// A small plan (two H100 nodes, 16 GPUs, an 8-layer V3-shaped model) so that `run` takes well under a
// second.
inline constexpr const char* kSmallScenario = R"(schema: 1
name: small
cluster: {gpu: H100, nodes: 2, gpus_per_node: 8, nics_per_node: 8, nic: cx7-ib-400g,
          topology: {kind: mpft, switch_radix: 64, planes: 8}}
model: {preset: deepseek-v3, layers: 8, moe: {routed_experts: 64}, mtp_depth: 0}
parallel: {pp: 2, dp: 8, tp: 1, ep: 8, micro_batch_size: 1, micro_batches: 4, schedule: 1f1b}
training: {tokens: 1M, seq_len: 1024, global_batch: 32}
)";

}  // namespace deepsim::test

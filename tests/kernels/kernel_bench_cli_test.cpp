// deepsim-kernel-bench's command line, running the real binary: --help and --version exit 0 on a machine
// without a GPU (they exited 3), bad arguments exit 2 with the option named.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

namespace {

struct Result {
  int code = -1;
  std::string out;
};

Result bench(const std::string& args) {
  const std::string cmd = std::string(DEEPSIM_KERNEL_BENCH) + " " + args + " 2>&1";
  Result r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  while (fgets(buf.data(), static_cast<int>(buf.size()), pipe) != nullptr) r.out += buf.data();
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST(KernelBenchCli, HelpAndVersionWithoutAGpu) {
  const Result h = bench("--help");
  EXPECT_EQ(h.code, 0) << h.out;
  EXPECT_NE(h.out.find("--repeats N"), std::string::npos) << h.out;
  const Result v = bench("--version");
  EXPECT_EQ(v.code, 0) << v.out;
  EXPECT_EQ(v.out.rfind("deepsim-kernel-bench ", 0), 0u) << v.out;
}

TEST(KernelBenchCli, BadArgumentsExitTwoBeforeTheGpuIsLookedAt) {
  EXPECT_EQ(bench("").code, 2);  // OUT.json missing: usage on stdout, exit 2
  const Result r = bench("out.json --repeats 1x");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("deepsim-kernel-bench --repeats: expected an integer in 1..100000"), std::string::npos) << r.out;
  const Result w = bench("out.json --warmpu 3");
  EXPECT_EQ(w.code, 2) << w.out;
  EXPECT_NE(w.out.find("did you mean '--warmup'?"), std::string::npos) << w.out;
  EXPECT_EQ(bench("out.json --warmup -1").code, 2);
}

}  // namespace

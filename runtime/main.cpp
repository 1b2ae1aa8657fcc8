// deepsim-exec: runs training steps of a scaled DeepSeek-V3 model on real GPUs (issue: the executor).
#include <cstdio>
#include <cstring>

#include "kernels/device.h"
#include "runtime/version.h"

int main(int argc, char** argv) {
  if (argc > 1 && (std::strcmp(argv[1], "--version") == 0)) {
    std::printf("deepsim-exec %s\n", deepsim::runtime::version());
    return 0;
  }
  const auto dev = deepsim::kernels::query_device();
  if (!dev.available) {
    std::fprintf(stderr, "deepsim-exec: %s\n", dev.reason.c_str());
    return 3;
  }
  std::printf("device: %s (sm_%d%d, %d SMs)\n", dev.name.c_str(), dev.sm_major, dev.sm_minor, dev.sms);
  return 0;
}

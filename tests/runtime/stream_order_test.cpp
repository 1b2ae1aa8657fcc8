// The executor's compute stream is non-blocking, so copies and memsets on the legacy default stream do not
// order against its kernels (a token upload could overwrite a buffer a queued backward still reads; a loss
// read could run before the loss kernel). No GPU here to catch such a race, so this test holds the rule in
// the source: the training loop's files issue no legacy-stream cudaMemcpy / cudaMemset and no synchronous
// DeviceBuffer upload / download / fill_bytes; copies go through runtime/stream_copy.h. stage_weights.cpp is
// the one exception: it initialises before the first step and synchronises the device after (gpu_trainer.cpp).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace deepsim::runtime {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Line numbers (1-based) where `needle` occurs in `text`.
std::vector<int> lines_with(const std::string& text, const std::string& needle) {
  std::vector<int> out;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n)
    if (line.find(needle) != std::string::npos && line.find("//") != 0) out.push_back(n);
  return out;
}

TEST(StreamOrder, TrainingLoopCopiesOnlyOnTheComputeStream) {
  const fs::path src = fs::path(DEEPSIM_SOURCE_DIR) / "runtime" / "src";
  ASSERT_TRUE(fs::is_directory(src)) << src;
  int files = 0;
  for (const auto& e : fs::directory_iterator(src)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("gpu_", 0) != 0 && name != "gemm_engine.cpp") continue;
    ++files;
    const std::string text = read(e.path());
    for (const char* bad : {"cudaMemcpy(", "cudaMemset(", ".upload(", ".download(", ".fill_bytes("})
      for (const int line : lines_with(text, bad)) ADD_FAILURE() << name << ":" << line << ": " << bad << " is not ordered on the compute stream";
  }
  // gpu_trainer, gpu_stage, gpu_moe, gpu_experts, gpu_head, gpu_block_*, gpu_ops.cu and the GEMM engine.
  EXPECT_GE(files, 8);
}

}  // namespace
}  // namespace deepsim::runtime

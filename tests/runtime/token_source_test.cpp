// The token source: deterministic per (seed, step, micro-batch, dp rank), learnable (the bigram rule holds
// for about 1 - noise of the tokens), and the token-file mode reads uint32 tokens and checks the vocabulary.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "runtime/config.h"
#include "runtime/token_source.h"

namespace deepsim::runtime {
namespace {

TEST(TokenSource, DeterministicAndAddressed) {
  const TokenSource a(TokenSourceParams{1000, 5, 0.1f, {}});
  const TokenSource b(TokenSourceParams{1000, 5, 0.1f, {}});
  EXPECT_EQ(a.batch({3, 1, 0}, 4, 33), b.batch({3, 1, 0}, 4, 33));
  EXPECT_NE(a.batch({3, 1, 0}, 4, 33), a.batch({3, 1, 1}, 4, 33));
  EXPECT_NE(a.batch({3, 1, 0}, 4, 33), a.batch({4, 1, 0}, 4, 33));
}

TEST(TokenSource, FollowsTheBigramRuleExceptForNoise) {
  constexpr float kNoise = 0.1f;
  const TokenSource s(TokenSourceParams{1000, 5, kNoise, {}});
  const auto toks = s.batch({0, 0, 0}, 8, 1000);
  long follow = 0;
  long pairs = 0;
  for (int r = 0; r < 8; ++r)
    for (int t = 1; t < 1000; ++t, ++pairs) {
      const auto i = static_cast<std::size_t>(r * 1000 + t);
      ASSERT_GE(toks[i], 0);
      ASSERT_LT(toks[i], 1000);
      follow += toks[i] == s.successor(toks[i - 1]);
    }
  // Expected share 1 - noise + noise/V = 0.9001; 7992 pairs give a standard deviation of 0.0034.
  EXPECT_NEAR(static_cast<double>(follow) / static_cast<double>(pairs), 0.9001, 0.02);
  // Entropy floor: -p ln p - (V-1) q ln q, q = noise/V = 1e-4, p = 0.9001: 0.09474 + 0.92011 nats.
  EXPECT_NEAR(s.synthetic_entropy(), 1.01485, 1e-4);
}

TEST(TokenSource, ReadsATokenFileAndChecksTheVocabulary) {
  const auto path = std::filesystem::temp_directory_path() / "deepsim_tokens_test.bin";
  {
    std::ofstream out(path, std::ios::binary);
    for (std::uint32_t i = 0; i < 100; ++i) out.write(reinterpret_cast<const char*>(&i), sizeof(i));
  }
  const TokenSource s(TokenSourceParams{100, 1, 0.f, path.string()});
  const auto toks = s.batch({0, 0, 0}, 3, 10);
  for (int r = 0; r < 3; ++r)
    for (int t = 1; t < 10; ++t) EXPECT_EQ(toks[static_cast<std::size_t>(r * 10 + t)], toks[static_cast<std::size_t>(r * 10)] + t);
  EXPECT_THROW(TokenSource(TokenSourceParams{50, 1, 0.f, path.string()}), ConfigError);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace deepsim::runtime

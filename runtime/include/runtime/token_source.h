// Training tokens for the executor: a deterministic, learnable synthetic source (a fixed random bigram
// rule with noise) or a binary file of little-endian uint32 tokens. A batch is addressed by (step,
// micro-batch, dp rank), so every rank draws its own sequences with no communication and reruns repeat.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace deepsim::runtime {

struct TokenSourceParams {
  int vocab = 0;                 // tokens are in [0, vocab)
  std::uint64_t seed = 1;
  float noise = 0.1f;            // synthetic: probability that a token is uniform instead of next[prev]
  std::string token_file;        // non-empty: read sequences from this file instead
};

struct BatchAddress {
  int step = 0;
  int micro_batch = 0;
  int dp_rank = 0;
};

class TokenSource {
 public:
  explicit TokenSource(const TokenSourceParams& p);

  // `sequences` rows of `tokens_per_sequence` tokens, row-major, for the batch at `at`.
  [[nodiscard]] std::vector<std::int32_t> batch(const BatchAddress& at, int sequences, int tokens_per_sequence) const;

  // The synthetic rule's successor of `token` (tests; the noise-free next token).
  [[nodiscard]] std::int32_t successor(std::int32_t token) const { return next_[static_cast<std::size_t>(token)]; }
  // Entropy (nats) per token of the synthetic source: the loss a perfect bigram model reaches.
  [[nodiscard]] double synthetic_entropy() const;
  [[nodiscard]] bool from_file() const { return !file_tokens_.empty(); }

 private:
  TokenSourceParams p_;
  std::vector<std::int32_t> next_;         // synthetic: a random permutation of the vocabulary
  std::vector<std::int32_t> file_tokens_;  // file mode: every token of the file
};

}  // namespace deepsim::runtime

// Synthetic bigram source and binary token-file reader (see token_source.h).
#include "runtime/token_source.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>

#include "runtime/config.h"
#include "runtime/rng.h"

namespace deepsim::runtime {
namespace {

constexpr std::uint64_t kPermutationStream = 0x7065726dull;  // "perm": the bigram rule's own stream

std::vector<std::int32_t> read_token_file(const std::string& path, int vocab) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw ConfigError(path + ": cannot open the token file (exec.token_file)");
  const auto bytes = static_cast<std::size_t>(in.tellg());
  if (bytes % sizeof(std::uint32_t) != 0 || bytes == 0)
    throw ConfigError(path + ": a token file holds little-endian uint32 tokens; size " + std::to_string(bytes) +
                      " is not a positive multiple of 4");
  std::vector<std::uint32_t> raw(bytes / sizeof(std::uint32_t));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(bytes));
  std::vector<std::int32_t> tokens(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] >= static_cast<std::uint32_t>(vocab))
      throw ConfigError(path + ": token " + std::to_string(raw[i]) + " at index " + std::to_string(i) +
                        " is outside the vocabulary (model.vocab " + std::to_string(vocab) + ")");
    tokens[i] = static_cast<std::int32_t>(raw[i]);
  }
  return tokens;
}

}  // namespace

TokenSource::TokenSource(const TokenSourceParams& p) : p_(p) {
  if (p_.vocab < 2) throw ConfigError("token source: vocab must be at least 2");
  if (!p_.token_file.empty()) {
    file_tokens_ = read_token_file(p_.token_file, p_.vocab);
    return;
  }
  next_.resize(static_cast<std::size_t>(p_.vocab));
  std::iota(next_.begin(), next_.end(), 0);
  Rng rng(mix_keys(p_.seed, kPermutationStream));
  for (std::size_t i = next_.size() - 1; i > 0; --i) std::swap(next_[i], next_[rng.below(i + 1)]);
}

std::vector<std::int32_t> TokenSource::batch(const BatchAddress& at, int sequences, int tokens_per_sequence) const {
  std::vector<std::int32_t> out(static_cast<std::size_t>(sequences) * static_cast<std::size_t>(tokens_per_sequence));
  for (int s = 0; s < sequences; ++s) {
    const std::uint64_t key = mix_keys(mix_keys(mix_keys(p_.seed, static_cast<std::uint64_t>(at.step)),
                                                mix_keys(static_cast<std::uint64_t>(at.micro_batch),
                                                         static_cast<std::uint64_t>(at.dp_rank))),
                                       static_cast<std::uint64_t>(s));
    Rng rng(key);
    std::int32_t* row = out.data() + static_cast<std::size_t>(s) * static_cast<std::size_t>(tokens_per_sequence);
    if (!file_tokens_.empty()) {
      if (file_tokens_.size() < static_cast<std::size_t>(tokens_per_sequence))
        throw ConfigError(p_.token_file + ": holds fewer tokens than one sequence needs");
      const std::size_t start = rng.below(file_tokens_.size() - static_cast<std::size_t>(tokens_per_sequence) + 1);
      std::copy_n(file_tokens_.begin() + static_cast<std::ptrdiff_t>(start), tokens_per_sequence, row);
      continue;
    }
    row[0] = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(p_.vocab)));
    for (int t = 1; t < tokens_per_sequence; ++t) {
      const bool noisy = rng.uniform() < static_cast<double>(p_.noise);
      const auto uniform_token = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(p_.vocab)));
      row[t] = noisy ? uniform_token : next_[static_cast<std::size_t>(row[t - 1])];
    }
  }
  return out;
}

double TokenSource::synthetic_entropy() const {
  // Next token: the successor with probability (1 - noise) + noise / V, any other with noise / V each.
  const double v = p_.vocab;
  const double q = static_cast<double>(p_.noise) / v;
  const double top = 1.0 - static_cast<double>(p_.noise) + q;
  double h = -top * std::log(top);
  if (q > 0) h -= (v - 1.0) * q * std::log(q);
  return h;
}

}  // namespace deepsim::runtime

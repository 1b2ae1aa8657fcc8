#include "cmdline/suggest.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace deepsim::cmdline {

int edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const int cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

std::string closest_match(std::string_view word, std::span<const std::string> candidates) {
  const int limit = std::max(1, static_cast<int>(word.size()) / 3);
  int best = limit + 1;
  std::string found;
  for (const auto& c : candidates) {
    const int dist = edit_distance(word, c);
    if (dist < best) {
      best = dist;
      found = c;
    }
  }
  return found;
}

std::string suggestion_hint(std::string_view word, std::span<const std::string> candidates) {
  if (candidates.empty()) return {};
  const std::string close = closest_match(word, candidates);
  if (!close.empty()) return "did you mean '" + close + "'?";
  std::string all = "expected one of: ";
  for (std::size_t i = 0; i < candidates.size(); ++i) all += (i ? ", " : "") + candidates[i];
  return all;
}

}  // namespace deepsim::cmdline

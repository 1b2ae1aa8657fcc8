#include "sim/moe/routing_trace.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "sim/core/error.h"

namespace deepsim {
namespace {

constexpr int kMaxIndex = 1 << 24;  // far beyond any real step count, layer count or expert count

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

[[noreturn]] void fail(const std::string& file, int line, const std::string& key, const std::string& msg,
                       const std::string& hint = {}) {
  throw InputError(SourcePos{file, line, 0}, key, msg, hint);
}

int parse_index(std::string_view f, const std::string& file, int line, const char* key) {
  int v = 0;
  const auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  if (ec != std::errc() || p != f.data() + f.size() || v < 0 || v >= kMaxIndex)
    fail(file, line, key, "'" + std::string(f) + "' is not a non-negative integer below 2^24");
  return v;
}

double parse_tokens(std::string_view f, const std::string& file, int line) {
  double v = 0;
  const auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  if (ec != std::errc() || p != f.data() + f.size() || !std::isfinite(v) || v < 0)
    fail(file, line, "tokens", "'" + std::string(f) + "' is not a non-negative number");
  return v;
}

using Rows = std::map<std::tuple<int, int, int>, std::pair<double, int>>;

RoutingTrace assemble(const Rows& rows, const std::string& file) {
  RoutingTrace t;
  t.file = file;
  for (const auto& [key, v] : rows) {
    t.steps = std::max(t.steps, std::get<0>(key) + 1);
    t.layers = std::max(t.layers, std::get<1>(key) + 1);
    t.experts = std::max(t.experts, std::get<2>(key) + 1);
  }
  const std::size_t pairs = static_cast<std::size_t>(t.steps) * static_cast<std::size_t>(t.layers);
  if (pairs * static_cast<std::size_t>(t.experts) > (std::size_t{1} << 28))
    fail(file, 0, "row", "the trace is too large (steps x layers x experts above 2^28)");
  t.tokens.assign(pairs * static_cast<std::size_t>(t.experts), 0.0);
  std::vector<bool> seen(pairs, false);
  for (const auto& [key, v] : rows) {
    const auto pair = static_cast<std::size_t>(std::get<0>(key)) * static_cast<std::size_t>(t.layers) +
                      static_cast<std::size_t>(std::get<1>(key));
    seen[pair] = true;
    t.tokens[pair * static_cast<std::size_t>(t.experts) + static_cast<std::size_t>(std::get<2>(key))] = v.first;
  }
  for (std::size_t p = 0; p < pairs; ++p)
    if (!seen[p])
      fail(file, 0, "row",
           "no rows for step " + std::to_string(p / static_cast<std::size_t>(t.layers)) + ", layer " +
               std::to_string(p % static_cast<std::size_t>(t.layers)),
           "every (step, layer) pair up to the largest ones listed needs at least one row");
  return t;
}

}  // namespace

std::span<const double> RoutingTrace::loads(int step, int layer) const {
  DEEPSIM_ASSERT(steps > 0 && layers > 0 && step >= 0 && layer >= 0, "trace has data");
  const auto at = (static_cast<std::size_t>(step % steps) * static_cast<std::size_t>(layers) +
                   static_cast<std::size_t>(layer % layers)) * static_cast<std::size_t>(experts);
  return std::span<const double>(tokens).subspan(at, static_cast<std::size_t>(experts));
}

RoutingTrace parse_routing_trace_csv(std::string_view text, const std::string& file) {
  Rows rows;  // (step, layer, expert) -> (tokens, line)
  bool header = false;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t nl = std::min(text.find('\n', pos), text.size());
    const std::string_view line = trim(text.substr(pos, nl - pos));
    ++line_no;
    pos = nl + 1;
    if (line.empty() || line.front() == '#') continue;
    std::array<std::string_view, 4> f;
    std::size_t n = 0, start = 0;
    for (std::size_t i = 0; i <= line.size(); ++i) {
      if (i < line.size() && line[i] != ',') continue;
      if (n == f.size()) fail(file, line_no, "row", "more than 4 fields", "expected step,layer,expert,tokens");
      f[n++] = trim(line.substr(start, i - start));
      start = i + 1;
    }
    if (n != f.size()) fail(file, line_no, "row", "expected 4 fields, found " + std::to_string(n), "step,layer,expert,tokens");
    if (!header) {
      if (f[0] != "step" || f[1] != "layer" || f[2] != "expert" || f[3] != "tokens")
        fail(file, line_no, "header", "the first line must be the header", "step,layer,expert,tokens");
      header = true;
      continue;
    }
    const auto key = std::make_tuple(parse_index(f[0], file, line_no, "step"), parse_index(f[1], file, line_no, "layer"),
                                     parse_index(f[2], file, line_no, "expert"));
    const double tokens = parse_tokens(f[3], file, line_no);
    const auto [it, fresh] = rows.emplace(key, std::make_pair(tokens, line_no));
    if (!fresh)
      fail(file, line_no, "row",
           "step " + std::string(f[0]) + ", layer " + std::string(f[1]) + ", expert " + std::string(f[2]) +
               " is listed twice",
           "first at line " + std::to_string(it->second.second));
  }
  if (!header) fail(file, line_no, "header", "the trace is empty", "expected the header step,layer,expert,tokens");
  if (rows.empty()) fail(file, line_no, "row", "the trace has a header but no rows");
  return assemble(rows, file);
}

RoutingTrace load_routing_trace_csv(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))  // a FIFO would block the run forever
    throw InputError(SourcePos{path, 0, 0}, "moe.trace_path",
                     std::filesystem::exists(path, ec) ? "the routing trace is not a regular file" : "no such routing trace",
                     "moe.trace_path names a CSV file; a relative path is read beside the scenario");
  if (const auto size = std::filesystem::file_size(path, ec); !ec && size > kMaxRoutingTraceBytes)
    throw InputError(SourcePos{path, 0, 0}, "moe.trace_path",
                     "the routing trace holds " + std::to_string(size >> 20) + " MiB, over the limit of " +
                         std::to_string(kMaxRoutingTraceBytes >> 20) + " MiB",
                     "a few steps of a trace drive a long simulation by repetition; trim it");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourcePos{path, 0, 0}, "moe.trace_path", "cannot open the routing trace", "check its permissions");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_routing_trace_csv(ss.str(), path);
}

}  // namespace deepsim

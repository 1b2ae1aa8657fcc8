#include "sim/serve/workload.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "sim/core/error.h"
#include "sim/core/format.h"
#include "sim/core/rng.h"

namespace deepsim {
namespace {

constexpr double kMaxTokens = 1 << 24;  // 16M tokens: beyond any context a model serves

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

double parse_field(std::string_view f, const std::string& file, int line, const char* key, double lo) {
  f = trim(f);
  double v = 0;
  const auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  if (ec != std::errc() || p != f.data() + f.size() || !std::isfinite(v) || v < lo || v > kMaxTokens * 1e6)
    throw InputError(SourcePos{file, line, 0}, key,
                     "'" + std::string(f) + "' is not a number" + (lo > 0 ? " >= 1" : " >= 0"),
                     "rows are arrival_s,input_tokens,output_tokens");
  return v;
}

// Lengths of one request: the mean itself (fixed), an exponential draw, or a lognormal with the given
// mean and cv (sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2/2). Rounded to whole tokens, at least 1.
double draw_length(Rng& rng, LengthDistribution d, double mean, double cv) {
  double v = mean;
  switch (d) {
    case LengthDistribution::kFixed:
      break;
    case LengthDistribution::kExponential:
      v = -mean * std::log(1.0 - rng.uniform());
      break;
    case LengthDistribution::kLognormal: {
      const double s2 = std::log1p(cv * cv);
      v = std::exp(std::log(mean) - s2 / 2 + std::sqrt(s2) * rng.normal());
      break;
    }
  }
  return std::clamp(std::round(v), 1.0, kMaxTokens);
}

std::filesystem::path resolve_trace(const Scenario& s) {
  const std::filesystem::path p(s.serving.workload.trace_path);
  if (p.is_absolute() || s.source_file.empty()) return p;
  const std::filesystem::path beside = std::filesystem::path(s.source_file).parent_path() / p;
  std::error_code ec;
  return std::filesystem::exists(beside, ec) ? beside : p;
}

// A first row whose first field is not a number is the header.
bool line_is_header(std::string_view row) {
  const std::string_view f = trim(row.substr(0, row.find(',')));
  double v = 0;
  const auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  return ec != std::errc() || p != f.data() + f.size();
}

}  // namespace

std::vector<Request> read_request_trace(const std::string& path, const SourcePos& where) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw InputError(where, "serving.workload.trace_path", "cannot open request trace '" + path + "'",
                     "give a CSV of arrival_s,input_tokens,output_tokens, relative to the scenario file");
  std::ifstream in(path);
  std::vector<Request> out;
  std::string text;
  int line = 0;
  while (std::getline(in, text)) {
    ++line;
    std::string_view row = trim(text);
    if (const auto hash = row.find('#'); hash != std::string_view::npos) row = trim(row.substr(0, hash));
    if (row.empty()) continue;
    if (out.empty() && line_is_header(row)) continue;
    const auto c1 = row.find(','), c2 = c1 == std::string_view::npos ? c1 : row.find(',', c1 + 1);
    if (c2 == std::string_view::npos || row.find(',', c2 + 1) != std::string_view::npos)
      throw InputError(SourcePos{path, line, 0}, "row", "expected 3 comma-separated fields, got '" + std::string(row) + "'",
                       "rows are arrival_s,input_tokens,output_tokens");
    Request r;
    r.arrival_s = parse_field(row.substr(0, c1), path, line, "arrival_s", 0);
    r.input_tokens = parse_field(row.substr(c1 + 1, c2 - c1 - 1), path, line, "input_tokens", 1);
    r.output_tokens = parse_field(row.substr(c2 + 1), path, line, "output_tokens", 1);
    if (r.input_tokens > kMaxTokens || r.output_tokens > kMaxTokens)
      throw InputError(SourcePos{path, line, 0}, "input_tokens", "a request longer than 16M tokens",
                       "check the column order: arrival_s,input_tokens,output_tokens");
    if (!out.empty() && r.arrival_s < out.back().arrival_s)
      throw InputError(SourcePos{path, line, 0}, "arrival_s",
                       "arrivals must not go back in time (" + fixed(r.arrival_s, 6) + " s after " +
                           fixed(out.back().arrival_s, 6) + " s)",
                       "sort the trace by arrival time");
    out.push_back(r);
  }
  if (out.size() < 2)
    throw InputError(SourcePos{path, line, 0}, "serving.workload.trace_path",
                     "a request trace needs at least 2 requests to have an arrival rate, got " + std::to_string(out.size()));
  return out;
}

WorkloadStats reduce_requests(const std::vector<Request>& requests, double rate_per_s, double cache_hit_ratio,
                              std::string source) {
  DEEPSIM_ASSERT(!requests.empty(), "a workload has requests");
  WorkloadStats w;
  w.source = std::move(source);
  w.requests = static_cast<double>(requests.size());
  w.cache_hit_ratio = cache_hit_ratio;
  double in = 0, out = 0, kv = 0;
  std::vector<double> inputs;
  inputs.reserve(requests.size());
  for (const Request& r : requests) {
    in += r.input_tokens;
    out += r.output_tokens;
    kv += r.input_tokens * r.output_tokens + r.output_tokens * (r.output_tokens + 1) / 2;
    inputs.push_back(r.input_tokens);
    w.input_tokens_max = std::max(w.input_tokens_max, r.input_tokens);
    w.context_tokens_max = std::max(w.context_tokens_max, r.input_tokens + r.output_tokens);
  }
  w.input_tokens_mean = in / w.requests;
  w.output_tokens_mean = out / w.requests;
  w.kv_tokens_per_output_token = kv / out;
  std::ranges::sort(inputs);
  w.input_tokens_p90 = inputs[static_cast<std::size_t>(std::ceil(0.9 * w.requests)) - 1];
  if (rate_per_s > 0) {
    w.request_rate_per_s = rate_per_s;
  } else {
    // n arrivals over the span from the first to the last: n - 1 gaps.
    const double span = requests.back().arrival_s - requests.front().arrival_s;
    DEEPSIM_ASSERT(span > 0, "a trace spans time");
    w.request_rate_per_s = (w.requests - 1) / span;
  }
  return w;
}

WorkloadStats workload_stats(const Scenario& s) {
  const ServingWorkload& wl = s.serving.workload;
  if (!wl.trace_path.empty()) {
    const std::string path = resolve_trace(s).string();
    const std::vector<Request> reqs = read_request_trace(path, s.pos_of("serving.workload.trace_path"));
    if (reqs.back().arrival_s <= reqs.front().arrival_s && wl.request_rate_per_s <= 0)
      throw InputError(SourcePos{path, 0, 0}, "arrival_s", "every request arrives at the same time, so the trace has no rate",
                       "spread the arrivals, or set serving.workload.request_rate_per_s");
    return reduce_requests(reqs, wl.request_rate_per_s, wl.cache_hit_ratio,
                           "trace " + wl.trace_path + " (" + std::to_string(reqs.size()) + " requests)");
  }
  if (wl.request_rate_per_s <= 0)
    throw InputError(s.pos_of("serving.workload.request_rate_per_s"), "serving.workload.request_rate_per_s",
                     "the workload has no load: request_rate_per_s is 0 and no trace_path is given",
                     "set serving.workload.request_rate_per_s, or serving.workload.trace_path");
  Rng rng = Rng(s.seed).fork("serving.workload");
  std::vector<Request> reqs(static_cast<std::size_t>(wl.sample_requests));
  for (Request& r : reqs) {
    r.input_tokens = draw_length(rng, wl.distribution, wl.input_tokens_mean, wl.input_tokens_cv);
    r.output_tokens = draw_length(rng, wl.distribution, wl.output_tokens_mean, wl.output_tokens_cv);
  }
  return reduce_requests(reqs, wl.request_rate_per_s, wl.cache_hit_ratio,
                         std::string(to_string(wl.distribution)) + " lengths, " + std::to_string(reqs.size()) +
                             " sampled requests");
}

}  // namespace deepsim

// The request workload a serving deployment sees (docs/serving.md, "Workload"): requests drawn from
// the scenario's length distributions (seeded), or read from a trace CSV, reduced to the statistics
// the steady-state prefill and decode models need.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace deepsim {

struct Request {
  double arrival_s = 0;
  double input_tokens = 0;
  double output_tokens = 0;
};

struct WorkloadStats {
  std::string source;             // "lognormal lengths, 4096 sampled requests" or "trace: path (N requests)"
  double request_rate_per_s = 0;
  double requests = 0;            // sampled or traced
  double input_tokens_mean = 0;
  double output_tokens_mean = 0;
  double input_tokens_p90 = 0;
  double input_tokens_max = 0;
  double context_tokens_max = 0;  // input + output of the longest request
  // Mean KV length a decode step attends over, weighted by output token (a request of input I and
  // output O contributes O tokens at lengths I+1 .. I+O): E[I*O + O(O+1)/2] / E[O]. Day 6 publishes this
  // figure for DeepSeek's service ("average kvcache length per output token": 4,989).
  double kv_tokens_per_output_token = 0;
  double cache_hit_ratio = 0;
  // Loads the deployment must carry.
  [[nodiscard]] double input_tokens_per_s() const { return request_rate_per_s * input_tokens_mean; }
  [[nodiscard]] double output_tokens_per_s() const { return request_rate_per_s * output_tokens_mean; }
};

// Reads arrival_s,input_tokens,output_tokens (a header line is allowed; '#' starts a comment). Errors
// name file:line. `where` blames the scenario key when the file cannot be opened.
[[nodiscard]] std::vector<Request> read_request_trace(const std::string& path, const SourcePos& where);

// Draws `serving.workload.sample_requests` requests (or reads the trace) and reduces them.
[[nodiscard]] WorkloadStats workload_stats(const Scenario& s);
// The reduction alone (requests sorted by nothing; arrival spans give the rate when rate_per_s is 0).
[[nodiscard]] WorkloadStats reduce_requests(const std::vector<Request>& requests, double rate_per_s,
                                            double cache_hit_ratio, std::string source);

}  // namespace deepsim

// RoutingTrace: expert loads recorded from a real run, read from CSV. Format (docs/moe.md):
//     # comment lines and blank lines are ignored
//     step,layer,expert,tokens          <- required header, first non-comment line
//     0,0,17,1234
// step, layer (0-based MoE layer index) and expert are non-negative integers, tokens a non-negative number
// (tokens routed to the expert in that step and layer, any batch size: only proportions are used). Every
// (step, layer) pair in [0, steps) x [0, layers) must appear; experts not listed for a pair had 0 tokens;
// a (step, layer, expert) written twice is an error. Errors are InputErrors naming file:line.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace deepsim {

struct RoutingTrace {
  std::string file;
  int steps = 0;
  int layers = 0;
  int experts = 0;            // largest expert index + 1
  std::vector<double> tokens;  // [(step * layers + layer) * experts + expert]

  // Loads of a step and layer; steps and layers beyond the trace wrap around (a trace of a few steps
  // drives a longer simulation by repetition).
  [[nodiscard]] std::span<const double> loads(int step, int layer) const;
};

// Traces over this are refused when loaded (the whole trace is held in memory as doubles).
inline constexpr std::uintmax_t kMaxRoutingTraceBytes = std::uintmax_t{256} << 20;  // 256 MiB

[[nodiscard]] RoutingTrace parse_routing_trace_csv(std::string_view text, const std::string& file);
[[nodiscard]] RoutingTrace load_routing_trace_csv(const std::string& path);

}  // namespace deepsim

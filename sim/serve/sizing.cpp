#include "sim/serve/sizing.h"

#include <algorithm>
#include <cmath>

namespace deepsim {
namespace {

constexpr double kSecondsPerDay = 86400;
constexpr double kHoursPerDay = 24;

// Whole units for a load of `nodes_load` nodes, each unit `per_unit` nodes; at least one.
int units_for(double nodes_load, double per_unit) { return std::max(1, static_cast<int>(std::ceil(nodes_load / per_unit - 1e-9))); }

}  // namespace

double nodes_per_unit(int ep, int gpus_per_node) { return static_cast<double>(ep) / gpus_per_node; }

Sizing size_deployment(const ServeContext& c, const PrefillResult& p, const DecodeResult& d) {
  const WorkloadStats& w = c.work;
  const ServingSpec& sv = c.serving;
  Sizing z;
  z.prefill_nodes_load = w.input_tokens_per_s() / p.input_tokens_per_s_node;
  z.decode_nodes_load = w.output_tokens_per_s() / d.output_tokens_per_s_node;
  const double pu = nodes_per_unit(sv.prefill.ep, c.gpus_per_node), du = nodes_per_unit(d.ep, c.gpus_per_node);
  // Prefill units are provisioned so the M/D/1 wait keeps TTFT within the SLO: with pace t and transfer
  // x, t (1 + rho / (2 (1 - rho))) + x <= SLO gives rho <= 2y / (1 + 2y), y = (SLO - x) / t - 1. When one
  // batch alone misses the SLO no utilisation helps: size for the load and report the miss.
  const double pace_s = std::max(p.batch, p.kv_read).seconds();
  const double y = (sv.slo.ttft_s - p.kv_transfer.seconds()) / pace_s - 1;
  const double rho_max = y > 0 ? 2 * y / (1 + 2 * y) : 1.0;
  z.prefill_units = units_for(z.prefill_nodes_load / rho_max, pu);
  z.decode_units = units_for(z.decode_nodes_load, du);
  z.prefill_nodes = static_cast<int>(std::ceil(z.prefill_units * pu));
  z.decode_nodes = static_cast<int>(std::ceil(z.decode_units * du));
  z.prefill_utilisation = z.prefill_nodes_load / (z.prefill_units * pu);
  z.decode_utilisation = z.decode_nodes_load / (z.decode_units * du);
  const double gpn = c.gpus_per_node;
  z.gpu_hours_per_day = (z.prefill_nodes + z.decode_nodes) * gpn * kHoursPerDay;
  z.gpu_hours_per_day_load = (z.prefill_nodes_load + z.decode_nodes_load) * gpn * kHoursPerDay;
  z.usd_per_day = z.gpu_hours_per_day * c.usd_per_gpu_hour;
  z.usd_per_day_load = z.gpu_hours_per_day_load * c.usd_per_gpu_hour;

  const double usd_per_gpu_s = c.usd_per_gpu_hour / 3600;
  const double miss_per_batch = sv.prefill.tokens_per_gpu;
  const double hit_share = w.cache_hit_ratio / std::max(1e-12, 1 - w.cache_hit_ratio);
  const double hit_per_batch = miss_per_batch * hit_share;
  const double pace = pace_s;
  z.usd_per_m_input_miss = p.batch_without_prefix.seconds() / miss_per_batch * usd_per_gpu_s * 1e6;
  z.usd_per_m_input_hit =
      hit_per_batch > 0 ? (pace - p.batch_without_prefix.seconds()) / hit_per_batch * usd_per_gpu_s * 1e6 : 0;
  z.usd_per_m_output = d.step.seconds() / (d.batch_per_gpu * d.accepted_per_step) * usd_per_gpu_s * 1e6;

  const double in_day = w.input_tokens_per_s() * kSecondsPerDay, out_day = w.output_tokens_per_s() * kSecondsPerDay;
  z.revenue_usd_per_day = (in_day * w.cache_hit_ratio * sv.prices.input_hit_usd_per_m +
                           in_day * (1 - w.cache_hit_ratio) * sv.prices.input_miss_usd_per_m +
                           out_day * sv.prices.output_usd_per_m) / 1e6;
  z.cost_profit_margin = z.usd_per_day_load > 0 ? (z.revenue_usd_per_day - z.usd_per_day_load) / z.usd_per_day_load : 0;

  // M/D/1: a batch is the service; the mean wait is rho / (2 (1 - rho)) services.
  const double rho = std::min(z.prefill_utilisation, 0.999);
  z.ttft = Time::from_seconds(pace * (1 + rho / (2 * (1 - rho)))) + p.kv_transfer;
  z.meets_ttft = z.ttft.seconds() <= sv.slo.ttft_s * (1 + 1e-9);
  return z;
}

}  // namespace deepsim

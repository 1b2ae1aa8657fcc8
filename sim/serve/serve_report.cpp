#include "sim/serve/serve_report.h"

#include <sstream>
#include <stdexcept>

#include "sim/core/format.h"
#include "sim/report/bar_chart.h"
#include "sim/report/chrome_trace.h"
#include "sim/report/source_path.h"
#include "sim/report/svg.h"
#include "sim/report/write_reports.h"
#include "sim/scenario/loader.h"

namespace deepsim {
namespace {

std::string ms(Time t) { return fixed(t.seconds() * 1e3, 2) + " ms"; }
std::string us(Time t) { return fixed(t.seconds() * 1e6, 1) + " us"; }
std::string num(double v, int d = 0) { return fixed(v, d); }
std::string usd(double v) { return "$" + fixed(v, v < 10 ? 3 : 0); }

Table workload_table(const ServeReport& r) {
  const WorkloadStats& w = r.result.work;
  return {"Workload",
          {"quantity", "value"},
          {{"source", w.source},
           {"request rate", num(w.request_rate_per_s, 1) + " requests/s"},
           {"input tokens (mean / p90 / max)", num(w.input_tokens_mean, 1) + " / " + num(w.input_tokens_p90) + " / " + num(w.input_tokens_max)},
           {"output tokens (mean)", num(w.output_tokens_mean, 1)},
           {"KV length per output token", num(w.kv_tokens_per_output_token, 1) + " tokens"},
           {"cache-hit ratio of input tokens", num(100 * w.cache_hit_ratio, 1) + " %"},
           {"load: input / output", format_count(w.input_tokens_per_s()) + " / " + format_count(w.output_tokens_per_s()) + " tokens/s"},
           {"SLOs: TTFT / TPOT", num(r.scenario.serving.slo.ttft_s, 2) + " s / " + num(r.scenario.serving.slo.tpot_ms, 1) + " ms"}}};
}

Table prefill_table(const ServeReport& r) {
  const PrefillResult& p = r.result.prefill;
  const PrefillUnitSpec& s = r.scenario.serving.prefill;
  return {"Prefill unit",
          {"quantity", "value"},
          {{"plan", "EP" + std::to_string(s.ep) + ", attention DP" + std::to_string(s.ep / s.attention_tp) + " x TP" +
                        std::to_string(s.attention_tp) + ", " + std::to_string(s.redundant_experts) + " redundant experts, " +
                        std::to_string(s.micro_batches) + " micro-batches, " + std::to_string(s.comm_sms) + " SMs for DeepEP"},
           {"batch: new tokens per GPU", std::to_string(s.tokens_per_gpu)},
           {"batch time (without the cached prefix)", ms(p.batch) + " (" + ms(p.batch_without_prefix) + ")"},
           {"MoE layer, one micro-batch: attention / experts / dispatch / combine",
            ms(p.moe_layer.attention) + " / " + ms(p.moe_layer.experts) + " / " + ms(p.moe_layer.dispatch) + " / " + ms(p.moe_layer.combine)},
           {"compute / comm busy per batch", ms(p.compute_busy) + " / " + ms(p.comm_busy)},
           {"cached KV read per batch (node's storage NIC)", ms(p.kv_read) + (p.storage_bound ? " (bound)" : "")},
           {"input tokens/s per node (incl. cache hits)", format_count(p.input_tokens_per_s_node)},
           {"cache-miss tokens/s per GPU", format_count(p.miss_tokens_per_s_gpu)},
           {"TTFT (batch + M/D/1 wait + KV transfer)", fixed(r.result.sizing.ttft.seconds(), 3) + " s" + (r.result.sizing.meets_ttft ? "" : " (misses SLO)")}}};
}

Table decode_table(const ServeReport& r) {
  const DecodeResult& d = r.result.decode;
  const DecodeUnitSpec& s = r.scenario.serving.decode;
  return {"Decode unit",
          {"quantity", "value"},
          {{"plan", "EP" + std::to_string(d.ep) + ", attention DP" + std::to_string(d.ep / s.attention_tp) + " x TP" +
                        std::to_string(s.attention_tp) + ", " + std::to_string(s.redundant_experts) + " redundant experts, " +
                        std::to_string(s.micro_batches) + " micro-batches, KV " + to_string(s.kv_dtype) +
                        (s.mtp ? ", MTP acceptance " + num(s.mtp_acceptance, 2) : ", no MTP")},
           {"batch per GPU (requests)", std::to_string(d.batch_per_gpu) + (s.batch_per_gpu == 0 ? " (largest meeting the SLO)" : "")},
           {"HBM: weights / reserve / KV", format_bytes(d.memory.weights) + " / " + format_bytes(d.memory.reserve) + " / " + format_bytes(d.memory.kv_capacity)},
           {"KV per token (all layers)", format_bytes(d.memory.kv_per_token)},
           {"requests the KV cache holds", num(d.memory.max_requests, 1)},
           {"MoE layer, one micro-batch: attention / experts / dispatch / combine",
            us(d.moe_layer.attention) + " / " + us(d.moe_layer.experts) + " / " + us(d.moe_layer.dispatch) + " / " + us(d.moe_layer.combine)},
           {"decode step (compute busy / comm busy)", ms(d.step) + " (" + ms(d.compute_busy) + " / " + ms(d.comm_busy) + ")"},
           {"tokens accepted per step per request", num(d.accepted_per_step, 2)},
           {"TPOT", ms(d.tpot) + (d.meets_tpot ? "" : " (misses SLO)")},
           {"EP latency bound (dispatch+combine x layers x micro-batches)", ms(d.ep_bound_tpot) + " per token, " + ms(d.ep_bound_step) + " per step"},
           {"output tokens/s per GPU / per node", format_count(d.output_tokens_per_s_gpu) + " / " + format_count(d.output_tokens_per_s_node)}}};
}

Table sizing_table(const ServeReport& r) {
  const Sizing& z = r.result.sizing;
  return {"Sizing and cost",
          {"quantity", "value"},
          {{"prefill nodes: load / provisioned (units)", num(z.prefill_nodes_load, 2) + " / " + std::to_string(z.prefill_nodes) + " (" + std::to_string(z.prefill_units) + ")"},
           {"decode nodes: load / provisioned (units)", num(z.decode_nodes_load, 2) + " / " + std::to_string(z.decode_nodes) + " (" + std::to_string(z.decode_units) + ")"},
           {"utilisation prefill / decode", num(100 * z.prefill_utilisation, 1) + " % / " + num(100 * z.decode_utilisation, 1) + " %"},
           {"GPU-hours per day: load-following / provisioned", format_count(z.gpu_hours_per_day_load) + " / " + format_count(z.gpu_hours_per_day)},
           {"cost per day: load-following / provisioned", usd(z.usd_per_day_load) + " / " + usd(z.usd_per_day)},
           {"$ per 1M input tokens: cache miss / cache hit", usd(z.usd_per_m_input_miss) + " / " + usd(z.usd_per_m_input_hit)},
           {"$ per 1M output tokens", usd(z.usd_per_m_output)},
           {"revenue per day at the token prices", usd(z.revenue_usd_per_day)},
           {"cost-profit margin (load-following cost)", num(100 * z.cost_profit_margin, 0) + " %"}}};
}

Table limits_table(const ServeReport& r) {
  const ServeResult& s = r.result;
  auto paper = [](const char* fabric, const SpeedLimit& l) {
    return std::vector<std::string>{fabric, fixed(l.comm_s * 1e6, 2) + " us", fixed(l.layer_s * 1e6, 2) + " us",
                                    fixed(l.tpot_s * 1e3, 2) + " ms", fixed(l.tokens_per_s, 1)};
  };
  const Time per_layer = (s.decode.moe_layer.dispatch + s.decode.moe_layer.combine) * r.scenario.serving.decode.micro_batches;
  return {"EP decode speed limit (ISCA'25 2.3.2)",
          {"case", "comm per micro-batch", "per layer", "TPOT", "tokens/s"},
          {paper("paper: CX7 400G IB, 32 tokens, 50 GB/s", s.paper_cx7), paper("paper: GB200 NVL72, 900 GB/s", s.paper_nvl72),
           {"this decode unit (its dispatch + combine)", us(s.decode.moe_layer.dispatch + s.decode.moe_layer.combine), us(per_layer),
            ms(s.decode.ep_bound_tpot), num(1.0 / s.decode.ep_bound_tpot.seconds(), 1)}}};
}

Table what_if_table(const ServeReport& r) {
  Table t{"What-if (decode)", {"axis", "value", "batch", "TPOT", "EP bound", "output tok/s per node", "decode nodes", "$ / 1M output", "note"}, {}};
  for (const WhatIfRow& w : r.result.what_if) {
    if (!w.runs) {
      t.rows.push_back({w.axis, w.value, "-", "-", "-", "-", "-", "-", "cannot run: " + w.note});
      continue;
    }
    const DecodeResult& d = w.decode;
    t.rows.push_back({w.axis, w.value, std::to_string(d.batch_per_gpu), ms(d.tpot) + (d.meets_tpot ? "" : " (SLO)"), ms(d.ep_bound_tpot),
                      format_count(d.output_tokens_per_s_node), num(w.decode_nodes_load, 1), usd(w.usd_per_m_output), w.note});
  }
  return t;
}

std::string md_cell(const std::string& s) {
  std::string out;
  for (const char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string decode_chart(const ServeReport& r) {
  const DecodeResult& d = r.result.decode;
  std::vector<Bar> bars;
  auto bar = [&](const char* what, Time t) { bars.push_back({what, t.seconds() * 1e6, us(t)}); };
  bar("attention (one micro-batch, MoE layer)", d.moe_layer.attention);
  bar("experts", d.moe_layer.experts);
  bar("dispatch (low-latency)", d.moe_layer.dispatch);
  bar("combine (low-latency)", d.moe_layer.combine);
  return bar_chart_svg("one MoE layer of the decode step", bars, "time (us)");
}

std::string title_of(const ServeReport& r) { return "deepsim serve: " + r.scenario.name; }

}  // namespace

std::vector<Table> serve_tables(const ServeReport& r) {
  std::vector<Table> t = {workload_table(r), prefill_table(r), decode_table(r), sizing_table(r), limits_table(r)};
  if (!r.result.what_if.empty()) t.push_back(what_if_table(r));
  return t;
}

std::string serve_markdown_tables_only(const ServeReport& r) {
  std::ostringstream out;
  for (const Table& t : serve_tables(r)) {
    out << "## " << t.title << "\n\n|";
    for (const auto& h : t.header) out << ' ' << md_cell(h) << " |";
    out << "\n|";
    for (std::size_t i = 0; i < t.header.size(); ++i) out << "---|";
    out << '\n';
    for (const auto& row : t.rows) {
      out << '|';
      for (const auto& c : row) out << ' ' << md_cell(c) << " |";
      out << '\n';
    }
    out << '\n';
  }
  return out.str();
}

std::string serve_markdown(const ServeReport& r) {
  std::ostringstream out;
  out << "# " << title_of(r) << "\n\ndeepsim " << r.deepsim_version << ", input hash `" << r.input_hash
      << "`, scenario file `" << report_source_path(r.scenario.source_file) << "`, " << r.scenario.cluster.gpu.name
      << " GPUs, " << r.scenario.cluster.gpus_per_node << " per node.\n\n"
      << serve_markdown_tables_only(r);
  out << "## Assumptions\n\n- kernel model: " << r.result.kernel_model << "\n";
  for (const auto& n : r.result.notes) out << "- " << n << "\n";
  out << "\n## Resolved scenario\n\n```yaml\n" << to_yaml(r.scenario) << "```\n";
  return out.str();
}

std::string serve_html(const ServeReport& r) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << xml_escape(title_of(r))
      << "</title>\n<style>\nbody{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}\n"
         "table{border-collapse:collapse;margin:0.5em 0 1.5em}\nth,td{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}\n"
         "th{background:#f3f3f3}\npre{background:#f7f7f7;padding:8px;font-size:12px;overflow-x:auto}\n</style>\n</head>\n<body>\n<h1>"
      << xml_escape(title_of(r)) << "</h1>\n<p>deepsim " << xml_escape(r.deepsim_version) << ", input hash <code>" << r.input_hash
      << "</code>, scenario file <code>" << xml_escape(report_source_path(r.scenario.source_file)) << "</code>.</p>\n"
      << "<p>One decode step, task by task: <a href=\"trace.json\">trace.json</a> (open it in ui.perfetto.dev).</p>\n"
      << "<figure>\n" << decode_chart(r) << "</figure>\n";
  for (const Table& t : serve_tables(r)) {
    out << "<h2>" << xml_escape(t.title) << "</h2>\n<table>\n<tr>";
    for (const auto& h : t.header) out << "<th>" << xml_escape(h) << "</th>";
    out << "</tr>\n";
    for (const auto& row : t.rows) {
      out << "<tr>";
      for (const auto& c : row) out << "<td>" << xml_escape(c) << "</td>";
      out << "</tr>\n";
    }
    out << "</table>\n";
  }
  out << "<h2>Assumptions</h2>\n<ul>\n<li>kernel model: " << xml_escape(r.result.kernel_model) << "</li>\n";
  for (const auto& n : r.result.notes) out << "<li>" << xml_escape(n) << "</li>\n";
  out << "</ul>\n<h2>Resolved scenario</h2>\n<pre>" << xml_escape(to_yaml(r.scenario)) << "</pre>\n</body>\n</html>\n";
  return out.str();
}

nlohmann::ordered_json serve_json(const ServeReport& r) {
  const ServeResult& s = r.result;
  const WorkloadStats& w = s.work;
  const PrefillResult& p = s.prefill;
  const DecodeResult& d = s.decode;
  const Sizing& z = s.sizing;
  nlohmann::ordered_json j;
  j["schema"] = 1;
  j["deepsim_version"] = r.deepsim_version;
  j["input_hash"] = r.input_hash;
  j["scenario"] = {{"name", r.scenario.name}, {"file", report_source_path(r.scenario.source_file)}};
  nlohmann::ordered_json& v = j["serve"];
  v["gpu"] = r.scenario.cluster.gpu.name;
  v["kernel_model"] = s.kernel_model;
  v["workload"] = {{"request_rate_per_s", w.request_rate_per_s}, {"input_tokens_mean", w.input_tokens_mean},
                   {"output_tokens_mean", w.output_tokens_mean}, {"kv_tokens_per_output_token", w.kv_tokens_per_output_token},
                   {"cache_hit_ratio", w.cache_hit_ratio}, {"input_tokens_per_s", w.input_tokens_per_s()},
                   {"output_tokens_per_s", w.output_tokens_per_s()}};
  v["prefill"] = {{"ep", r.scenario.serving.prefill.ep}, {"batch_s", p.batch.seconds()}, {"batch_without_prefix_s", p.batch_without_prefix.seconds()},
                  {"kv_read_s", p.kv_read.seconds()}, {"input_tokens_per_s_node", p.input_tokens_per_s_node},
                  {"miss_tokens_per_s_gpu", p.miss_tokens_per_s_gpu}, {"ttft_s", z.ttft.seconds()}, {"meets_ttft", z.meets_ttft}};
  v["decode"] = {{"ep", d.ep}, {"batch_per_gpu", d.batch_per_gpu}, {"weights_bytes", d.memory.weights.value()},
                 {"kv_capacity_bytes", d.memory.kv_capacity.value()}, {"kv_bytes_per_token", d.memory.kv_per_token.value()},
                 {"max_requests", d.memory.max_requests}, {"step_s", d.step.seconds()}, {"tpot_s", d.tpot.seconds()},
                 {"ep_bound_tpot_s", d.ep_bound_tpot.seconds()}, {"dispatch_s", d.moe_layer.dispatch.seconds()},
                 {"combine_s", d.moe_layer.combine.seconds()}, {"accepted_per_step", d.accepted_per_step},
                 {"output_tokens_per_s_gpu", d.output_tokens_per_s_gpu}, {"output_tokens_per_s_node", d.output_tokens_per_s_node},
                 {"meets_tpot", d.meets_tpot}};
  v["sizing"] = {{"prefill_nodes_load", z.prefill_nodes_load}, {"decode_nodes_load", z.decode_nodes_load},
                 {"prefill_nodes", z.prefill_nodes}, {"decode_nodes", z.decode_nodes},
                 {"gpu_hours_per_day", z.gpu_hours_per_day}, {"gpu_hours_per_day_load", z.gpu_hours_per_day_load},
                 {"cost_usd_per_day", z.usd_per_day}, {"cost_usd_per_day_load", z.usd_per_day_load},
                 {"usd_per_m_input_miss", z.usd_per_m_input_miss}, {"usd_per_m_input_hit", z.usd_per_m_input_hit},
                 {"usd_per_m_output", z.usd_per_m_output}, {"revenue_usd_per_day", z.revenue_usd_per_day},
                 {"cost_profit_margin", z.cost_profit_margin}};
  auto limit = [](const SpeedLimit& l) {
    return nlohmann::ordered_json{{"comm_s", l.comm_s}, {"layer_s", l.layer_s}, {"tpot_s", l.tpot_s}, {"tokens_per_s", l.tokens_per_s}};
  };
  v["speed_limit"] = {{"paper_cx7", limit(s.paper_cx7)}, {"paper_nvl72", limit(s.paper_nvl72)}};
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const WhatIfRow& w2 : s.what_if) {
    nlohmann::ordered_json row = {{"axis", w2.axis}, {"value", w2.value}, {"runs", w2.runs}, {"note", w2.note}};
    if (w2.runs)
      row.update({{"batch_per_gpu", w2.decode.batch_per_gpu}, {"tpot_s", w2.decode.tpot.seconds()},
                  {"ep_bound_tpot_s", w2.decode.ep_bound_tpot.seconds()},
                  {"output_tokens_per_s_node", w2.decode.output_tokens_per_s_node},
                  {"decode_nodes_load", w2.decode_nodes_load}, {"usd_per_m_output", w2.usd_per_m_output}});
    rows.push_back(std::move(row));
  }
  v["what_if"] = std::move(rows);
  v["notes"] = s.notes;
  return j;
}

std::string serve_summary(const ServeReport& r) {
  const ServeResult& s = r.result;
  std::ostringstream out;
  out << "serving " << r.scenario.model.name << " on " << r.scenario.cluster.gpu.name << " (" << format_count(s.work.input_tokens_per_s())
      << " input + " << format_count(s.work.output_tokens_per_s()) << " output tokens/s):\n"
      << "  prefill EP" << r.scenario.serving.prefill.ep << ": " << format_count(s.prefill.input_tokens_per_s_node)
      << " input tokens/s per node (incl. cache hits), TTFT " << fixed(s.sizing.ttft.seconds(), 3) << " s\n"
      << "  decode EP" << s.decode.ep << ", batch " << s.decode.batch_per_gpu << ": " << format_count(s.decode.output_tokens_per_s_node)
      << " output tokens/s per node, TPOT " << ms(s.decode.tpot) << " (EP bound " << ms(s.decode.ep_bound_tpot) << ")\n"
      << "  nodes: " << fixed(s.sizing.prefill_nodes_load, 1) << " prefill + " << fixed(s.sizing.decode_nodes_load, 1)
      << " decode at load (" << s.sizing.prefill_nodes << " + " << s.sizing.decode_nodes << " provisioned), "
      << format_count(s.sizing.gpu_hours_per_day_load) << " GPU-h/day, " << usd(s.sizing.usd_per_day_load) << "/day\n"
      << "  $ per 1M tokens: input miss " << usd(s.sizing.usd_per_m_input_miss) << ", hit " << usd(s.sizing.usd_per_m_input_hit)
      << ", output " << usd(s.sizing.usd_per_m_output) << "; revenue " << usd(s.sizing.revenue_usd_per_day) << "/day\n";
  for (const auto& n : s.notes)
    if (n.find("misses") != std::string::npos) out << "  warning: " << n << "\n";
  return out.str();
}

void write_serve_reports(const ServeReport& r, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create output directory '" + dir.string() + "': " + ec.message());
  write_text_file(dir / "result.json", serve_json(r).dump(2) + "\n");
  write_serve_report_set(r, dir);
}

void write_serve_report_set(const ServeReport& r, const std::filesystem::path& dir) {
  write_text_file(dir / "report.md", serve_markdown(r));
  write_text_file(dir / "report.html", serve_html(r));
  std::ostringstream trace;
  const LinkTable no_links;
  TraceOptions options{.category_names = OverlapRun::category_names()};
  write_chrome_trace(trace, r.result.decode_graph.graph, r.result.decode_graph.run, no_links, options);
  write_text_file(dir / "trace.json", trace.str());
}

}  // namespace deepsim

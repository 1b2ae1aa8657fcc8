#include "sim/report/batch_row.h"

#include "sim/report/csv_tables.h"
#include "sim/scenario/scalar_codec.h"

namespace deepsim {

BatchRow row_from_result(const nlohmann::ordered_json& j) {
  BatchRow r;
  r.ok = true;
  r.hash = j.at("scenario").at("input_hash").get<std::string>();
  r.name = j.at("scenario").at("name").get<std::string>();
  const auto& c = j.at("cluster");
  r.gpu = c.at("gpu").get<std::string>();
  r.schedule = c.at("schedule").get<std::string>();
  r.gpus = c.at("gpus").get<int>();
  r.pp = c.at("pp").get<int>();
  r.dp = c.at("dp").get<int>();
  r.ep = c.at("ep").get<int>();
  r.fits = j.at("memory").at("fits").get<bool>();
  r.min_headroom_bytes = j.at("memory").at("min_headroom_bytes").get<double>();
  r.step_time_s = j.at("step").at("time_s").get<double>();
  r.bubble_s = j.at("step").at("bubble_s").get<double>();
  r.exposed_comm_s = j.at("step").at("exposed_comm_s").get<double>();
  const auto& run = j.at("run");
  r.gpu_hours = run.at("gpu_hours").get<double>();
  r.days = run.at("days").get<double>();
  r.cost_usd = run.at("cost_usd").get<double>();
  r.usd_per_million_tokens = run.at("usd_per_million_tokens").get<double>();
  r.mfu_bf16_causal = run.at("throughput").at("mfu_bf16_causal").get<double>();
  return r;
}

std::string results_csv_header() {
  return "index,file,label,status,input_hash,name,gpu,gpus,pp,dp,ep,schedule,step_time_s,bubble_s,exposed_comm_s,gpu_hours,days,cost_usd,"
         "usd_per_million_tokens,mfu_bf16_causal,fits,min_headroom_bytes,error\n";
}

namespace {

// index,file,label,status,input_hash, (with the trailing comma): the columns every kind's row begins with.
std::string common_fields(const BatchRow& r) {
  return std::to_string(r.index) + ',' + csv_field(r.file) + ',' + csv_field(r.label) + ',' + (r.ok ? "ok" : "error") + ',' +
         r.hash + ',';
}

std::string figure_field(const nlohmann::ordered_json& v) {
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  if (v.is_number()) return shortest(v.get<double>());
  if (v.is_string()) return csv_field(v.get<std::string>());
  return "";  // null: the result has no such figure
}

}  // namespace

std::string results_csv_line(const BatchRow& r) {
  std::string line = common_fields(r);
  if (r.ok) {
    line += csv_field(r.name) + ',' + csv_field(r.gpu) + ',' + std::to_string(r.gpus) + ',' + std::to_string(r.pp) +
            ',' + std::to_string(r.dp) + ',' + std::to_string(r.ep) + ',' + r.schedule + ',' + shortest(r.step_time_s) +
            ',' + shortest(r.bubble_s) + ',' + shortest(r.exposed_comm_s) + ',' + shortest(r.gpu_hours) + ',' + shortest(r.days) + ',' + shortest(r.cost_usd) + ',' +
            shortest(r.usd_per_million_tokens) + ',' + shortest(r.mfu_bf16_causal) + ',' +
            (r.fits ? "true" : "false") + ',' + shortest(r.min_headroom_bytes) + ",";
  } else {
    line += ",,,,,,,,,,,,,,,,," + csv_field(r.error);
  }
  return line + '\n';
}

std::string figures_csv_header(const std::vector<std::string>& columns) {
  std::string h = "index,file,label,status,input_hash,";
  for (const auto& c : columns) h += c + ',';
  return h + "error\n";
}

std::string figures_csv_line(const BatchRow& r, const std::vector<std::string>& columns) {
  std::string line = common_fields(r);
  for (const auto& c : columns) line += (r.ok && r.figures.contains(c) ? figure_field(r.figures.at(c)) : "") + ',';
  return line + (r.ok ? "" : csv_field(r.error)) + '\n';
}

}  // namespace deepsim

#include "gui/models/result_models.h"

#include "gui/models/display.h"
#include "sim/core/format.h"

namespace deepsim::gui {

std::vector<Metric> headline_metrics(const api::Headline& h) {
  std::vector<Metric> m(static_cast<std::size_t>(HeadlineRow::kCount));
  auto set = [&](HeadlineRow row, QString name, QString text, double value, bool alert = false) {
    m[static_cast<std::size_t>(row)] = Metric{std::move(name), std::move(text), value, alert};
  };
  set(HeadlineRow::kGpuHours, "GPU-hours (whole run)", gpu_hours_text(h.gpu_hours), h.gpu_hours);
  set(HeadlineRow::kDays, "Wall time", days_text(h.days), h.days);
  set(HeadlineRow::kRentalUsd, "Cost, rental", usd_text(h.rental_usd), h.rental_usd);
  set(HeadlineRow::kOwnershipUsd, "Cost, ownership", usd_text(h.ownership_usd), h.ownership_usd);
  set(HeadlineRow::kUsdPerMTokens, "$ per million tokens (" + QString::fromStdString(h.cost_basis) + ")",
      "$" + QString::number(h.usd_per_million_tokens, 'f', 3), h.usd_per_million_tokens);
  set(HeadlineRow::kMfuBf16, "MFU (BF16 peak, causal)", percent_text(h.mfu_bf16_causal), h.mfu_bf16_causal);
  set(HeadlineRow::kMfuFp8, "MFU (FP8 peak, causal)", percent_text(h.mfu_fp8_causal), h.mfu_fp8_causal);
  set(HeadlineRow::kTokensPerS, "Tokens per second", rate_text(h.tokens_per_s, "tokens"), h.tokens_per_s);
  set(HeadlineRow::kStepTime, "Step time (simulated)", seconds_text(h.step_s), h.step_s);
  set(HeadlineRow::kBubble, "Pipeline bubble (max rank)", seconds_text(h.bubble_s), h.bubble_s);
  set(HeadlineRow::kExposedComm, "Exposed communication", seconds_text(h.exposed_comm_s), h.exposed_comm_s);
  set(HeadlineRow::kLowerBound, "Compute lower bound (not a prediction)", seconds_text(h.step_lower_bound_s),
      h.step_lower_bound_s);
  set(HeadlineRow::kMemory, "Memory", h.memory_fits ? "fits in HBM" : "DOES NOT FIT in HBM", h.memory_fits ? 1 : 0,
      !h.memory_fits);
  return m;
}

HeadlineModel* make_headline_model(QObject* parent) {
  auto* m = new HeadlineModel({{"Figure", [](const Metric& r) { return r.name; }, {}},
                               {"Value", [](const Metric& r) { return r.text; }, [](const Metric& r) { return r.value; }}},
                              parent);
  m->set_alert([](const Metric& r) { return r.alert; });
  return m;
}

StageMemoryModel* make_stage_memory_model(QObject* parent) {
  using R = api::StageMemoryRow;
  auto gb = [](double R::*field) {
    return Column<R>{{}, [field](const R& r) { return gb_text(r.*field); }, [field](const R& r) { return r.*field; }};
  };
  std::vector<Column<R>> cols = {
      {"Stage", [](const R& r) { return QString::number(r.stage); }, [](const R& r) { return double(r.stage); }},
      {"Layers", [](const R& r) { return QString::number(r.layers); }, [](const R& r) { return double(r.layers); }},
      gb(&R::weights_gb), gb(&R::master_weights_gb), gb(&R::gradients_gb), gb(&R::optimizer_gb),
      gb(&R::activations_gb), gb(&R::total_gb), gb(&R::hbm_gb)};
  const char* headers[] = {"Stage", "Layers", "Weights", "Master", "Grads", "Optimizer", "Activations", "Total", "HBM"};
  for (std::size_t i = 0; i < cols.size(); ++i) cols[i].header = headers[i];
  auto* m = new StageMemoryModel(std::move(cols), parent);
  m->set_alert([](const R& r) { return !r.fits(); });
  return m;
}

PhaseModel* make_phase_model(QObject* parent) {
  using R = api::PhaseRow;
  return new PhaseModel(
      {{"Phase", [](const R& r) { return QString::fromStdString(r.title); }, {}},
       {"GPUs", [](const R& r) { return QString::number(r.gpus); }, [](const R& r) { return double(r.gpus); }},
       {"Days", [](const R& r) { return days_text(r.days); }, [](const R& r) { return r.days; }},
       {"GPU-hours", [](const R& r) { return gpu_hours_text(r.gpu_hours); }, [](const R& r) { return r.gpu_hours; }},
       {"Rental $", [](const R& r) { return usd_text(r.rental_usd); }, [](const R& r) { return r.rental_usd; }},
       {"Ownership $", [](const R& r) { return usd_text(r.ownership_usd); }, [](const R& r) { return r.ownership_usd; }}},
      parent);
}

LinkModel* make_link_model(QObject* parent) {
  using R = api::LinkRow;
  return new LinkModel(
      {{"Link class", [](const R& r) { return QString::fromStdString(r.link_class); }, {}},
       {"Links used", [](const R& r) { return QString::number(r.links); }, [](const R& r) { return double(r.links); }},
       {"Bytes", [](const R& r) { return QString::fromStdString(format_bytes(Bytes(r.bytes))); }, [](const R& r) { return r.bytes; }},
       {"Mean utilisation", [](const R& r) { return percent_text(r.mean_utilisation); },
        [](const R& r) { return 100 * r.mean_utilisation; }},
       {"Max utilisation", [](const R& r) { return percent_text(r.max_utilisation); },
        [](const R& r) { return 100 * r.max_utilisation; }}},
      parent);
}

RankModel* make_rank_model(QObject* parent) {
  using R = api::RankRow;
  return new RankModel(
      {{"Rank", [](const R& r) { return QString::number(r.rank); }, [](const R& r) { return double(r.rank); }},
       {"GPU", [](const R& r) { return QString::number(r.gpu); }, [](const R& r) { return double(r.gpu); }},
       {"Busy", [](const R& r) { return seconds_text(r.busy_s); }, [](const R& r) { return r.busy_s; }},
       {"Exposed comm", [](const R& r) { return seconds_text(r.exposed_comm_s); }, [](const R& r) { return r.exposed_comm_s; }},
       {"Bubble", [](const R& r) { return seconds_text(r.bubble_s); }, [](const R& r) { return r.bubble_s; }},
       {"Peak memory", [](const R& r) { return gb_text(r.peak_memory_gb); }, [](const R& r) { return r.peak_memory_gb; }}},
      parent);
}

}  // namespace deepsim::gui

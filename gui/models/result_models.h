// The tables of the results dashboard, each a RowsModel over one vector of sim/api/summary.h rows, and
// the headline as a list of named metrics. Column orders are part of the interface: charts map columns.
#pragma once

#include <QObject>

#include "gui/models/rows_model.h"
#include "sim/api/summary.h"

namespace deepsim::gui {

// One headline figure: its name, its text and its number.
struct Metric {
  QString name;
  QString text;
  double value = 0;
  bool alert = false;  // drawn red: memory does not fit
};
enum class HeadlineRow { kGpuHours, kDays, kRentalUsd, kOwnershipUsd, kUsdPerMTokens, kMfuBf16, kMfuFp8, kTokensPerS,
                         kStepTime, kBubble, kExposedComm, kLowerBound, kMemory, kCount };
[[nodiscard]] std::vector<Metric> headline_metrics(const api::Headline& h);

using HeadlineModel = RowsModel<Metric>;
using StageMemoryModel = RowsModel<api::StageMemoryRow>;
using PhaseModel = RowsModel<api::PhaseRow>;
using LinkModel = RowsModel<api::LinkRow>;
using RankModel = RowsModel<api::RankRow>;

// Column numbers the dashboard's charts map.
enum StageMemoryColumn { kMemStage, kMemLayers, kMemWeights, kMemMaster, kMemGrads, kMemOptim, kMemActiv, kMemTotal, kMemHbm };
enum PhaseColumn { kPhaseName, kPhaseGpus, kPhaseDays, kPhaseGpuHours, kPhaseRental, kPhaseOwnership };
enum LinkColumn { kLinkClass, kLinkCount, kLinkBytes, kLinkMeanUtil, kLinkMaxUtil };

[[nodiscard]] HeadlineModel* make_headline_model(QObject* parent);
[[nodiscard]] StageMemoryModel* make_stage_memory_model(QObject* parent);  // rows over HBM in red
[[nodiscard]] PhaseModel* make_phase_model(QObject* parent);
[[nodiscard]] LinkModel* make_link_model(QObject* parent);
[[nodiscard]] RankModel* make_rank_model(QObject* parent);

}  // namespace deepsim::gui

// The what-if sweep as a table (one row per finished point, in completion order) and the lookups its
// charts need: the point at a grid position, a metric's number, and the metric's place between the
// sweep's best and worst point (heat-map colour). Infeasible points (memory over HBM, or a plan that
// does not load) keep their row with the reason and no figures.
#pragma once

#include <QObject>
#include <optional>

#include "gui/models/rows_model.h"
#include "sim/api/sweep_run.h"

namespace deepsim::gui {

enum class SweepMetric { kGpuHours, kCostUsd, kStepTime, kDays, kMfu };
[[nodiscard]] QString to_string(SweepMetric m);
// The metric of a point that ran (rental or ownership dollars per the scenario's basis).
[[nodiscard]] double metric_value(const api::Headline& h, SweepMetric m);
[[nodiscard]] QString metric_text(const api::Headline& h, SweepMetric m);

class SweepModel : public RowsModel<api::SweepPoint> {
 public:
  explicit SweepModel(QObject* parent = nullptr);
  // Starts a new sweep: one column per axis, then the figures and the status.
  void start(const api::SweepSpec& spec);
  void add_point(const api::SweepPoint& p);
  [[nodiscard]] const api::SweepSpec& spec() const { return spec_; }
  [[nodiscard]] const api::SweepPoint* point_at(std::size_t i, std::size_t j = 0) const;
  // x of an axis value: the number when every value of the axis is one, else its position.
  [[nodiscard]] double axis_x(std::size_t axis, std::size_t position) const;
  [[nodiscard]] bool axis_numeric(std::size_t axis) const;
  // (value - min) / (max - min) over the feasible points; nullopt for an infeasible one.
  [[nodiscard]] std::optional<double> relative(const api::SweepPoint& p, SweepMetric m) const;
  [[nodiscard]] int feasible_count() const;

 private:
  api::SweepSpec spec_;
};

}  // namespace deepsim::gui

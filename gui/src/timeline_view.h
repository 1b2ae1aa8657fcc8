// The pipeline timeline: per rank a compute lane (F, B, W, F&B pairs, optimizer, bubbles) and a
// communication lane, in time order, from the same task timings as trace.json (sim/api/timeline.h).
// Wheel zooms around the cursor, dragging pans, double-click shows the whole step; hovering a slice
// shows its op, pass, duration and micro-batch.
#pragma once

#include <QWidget>
#include <vector>

#include "sim/api/timeline.h"

namespace deepsim::gui {

class TimelineView : public QWidget {
  Q_OBJECT
 public:
  explicit TimelineView(QWidget* parent = nullptr);
  void set_timeline(api::Timeline t);
  [[nodiscard]] const api::Timeline& timeline() const { return timeline_; }
  // The visible window, in seconds of the step.
  [[nodiscard]] double view_start_s() const { return start_s_; }
  [[nodiscard]] double view_span_s() const { return span_s_; }
  void zoom(double factor, double at_s);
  void show_all();
  // The slice under a widget position, or nullptr (tests and the tooltip).
  [[nodiscard]] const api::TimelineSlice* slice_at(QPoint p) const;
  [[nodiscard]] static QString describe(const api::TimelineSlice& s);

 protected:
  void paintEvent(QPaintEvent* e) override;
  void wheelEvent(QWheelEvent* e) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  void mouseDoubleClickEvent(QMouseEvent* e) override;
  bool event(QEvent* e) override;

 private:
  [[nodiscard]] double x_of(double t_s) const;
  [[nodiscard]] double t_of(double x) const;
  [[nodiscard]] int lane_top(int rank, bool comm) const;
  void clamp_view();

  api::Timeline timeline_;
  std::vector<std::vector<std::size_t>> lanes_;  // per (rank, lane): slice indices by start
  double start_s_ = 0, span_s_ = 1;
  bool dragging_ = false;
  QPoint drag_from_;
  double drag_start_s_ = 0;
};

}  // namespace deepsim::gui

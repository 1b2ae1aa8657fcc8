#include "gui/src/timeline_view.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

#include "gui/models/display.h"

namespace deepsim::gui {
namespace {

constexpr int kLeft = 64;          // rank labels
constexpr int kTop = 26;           // legend
constexpr int kBottom = 26;        // time axis
constexpr int kComputeH = 16, kCommH = 8, kGap = 6;
constexpr double kZoomStep = 1.25; // per wheel notch

QColor color_of(const api::TimelineSlice& s) {
  switch (s.kind) {
    case api::SliceKind::kForward: return s.paired ? QColor(30, 90, 170) : QColor(90, 150, 220);
    case api::SliceKind::kBackward: return s.paired ? QColor(40, 120, 50) : QColor(110, 180, 100);
    case api::SliceKind::kWeightGrad: return QColor(150, 90, 180);
    case api::SliceKind::kOptimizer: return QColor(120, 130, 135);
    case api::SliceKind::kComm: return QColor(230, 126, 34, 170);
    case api::SliceKind::kBubble: return QColor(245, 200, 200);
  }
  return Qt::gray;
}

}  // namespace

TimelineView::TimelineView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setMinimumHeight(200);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void TimelineView::set_timeline(api::Timeline t) {
  timeline_ = std::move(t);
  lanes_.assign(static_cast<std::size_t>(2 * timeline_.ranks), {});
  for (std::size_t i = 0; i < timeline_.slices.size(); ++i) {
    const auto& s = timeline_.slices[i];
    lanes_[static_cast<std::size_t>(2 * s.rank + (s.comm_lane ? 1 : 0))].push_back(i);
  }
  setMinimumHeight(kTop + kBottom + timeline_.ranks * (kComputeH + kCommH + kGap));
  show_all();
}

void TimelineView::show_all() {
  start_s_ = 0;
  span_s_ = timeline_.step_s > 0 ? timeline_.step_s : 1;
  update();
}

double TimelineView::x_of(double t_s) const { return kLeft + (t_s - start_s_) / span_s_ * (width() - kLeft - 8); }
double TimelineView::t_of(double x) const { return start_s_ + (x - kLeft) / std::max(1, width() - kLeft - 8) * span_s_; }
int TimelineView::lane_top(int rank, bool comm) const {
  return kTop + rank * (kComputeH + kCommH + kGap) + (comm ? kComputeH + 1 : 0);
}

void TimelineView::clamp_view() {
  const double step = timeline_.step_s > 0 ? timeline_.step_s : 1;
  span_s_ = std::clamp(span_s_, step * 1e-6, step);
  start_s_ = std::clamp(start_s_, 0.0, step - span_s_);
}

void TimelineView::zoom(double factor, double at_s) {
  const double new_span = span_s_ / factor;
  start_s_ = at_s - (at_s - start_s_) * new_span / span_s_;
  span_s_ = new_span;
  clamp_view();
  update();
}

void TimelineView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), Qt::white);
  // Legend.
  struct Key {
    const char* name;
    api::SliceKind kind;
    bool paired;
  };
  const Key keys[] = {{"F", api::SliceKind::kForward, false}, {"B", api::SliceKind::kBackward, false},
                      {"F&B interleaved (F / B)", api::SliceKind::kForward, true}, {"W", api::SliceKind::kWeightGrad, false},
                      {"optimizer / DP sync", api::SliceKind::kOptimizer, false}, {"comm", api::SliceKind::kComm, false},
                      {"bubble (idle)", api::SliceKind::kBubble, false}};
  int x = kLeft;
  for (const Key& k : keys) {
    api::TimelineSlice s;
    s.kind = k.kind;
    s.paired = k.paired;
    p.fillRect(x, 8, 12, 12, color_of(s));
    if (k.paired) {
      s.kind = api::SliceKind::kBackward;
      p.fillRect(x + 6, 8, 6, 12, color_of(s));
    }
    p.setPen(Qt::black);
    p.drawText(x + 16, 19, k.name);
    x += 22 + p.fontMetrics().horizontalAdvance(k.name);
  }
  if (timeline_.ranks == 0) {
    p.drawText(rect(), Qt::AlignCenter, "No run yet: the timeline of the simulated step appears here.");
    return;
  }
  const double t_end = start_s_ + span_s_;
  for (int r = 0; r < timeline_.ranks; ++r) {
    p.setPen(Qt::black);
    p.drawText(4, lane_top(r, false) + kComputeH - 3, QString("rank %1").arg(r));
    for (int lane = 0; lane < 2; ++lane) {
      const int top = lane_top(r, lane == 1);
      const int h = lane == 0 ? kComputeH : kCommH;
      for (std::size_t i : lanes_[static_cast<std::size_t>(2 * r + lane)]) {
        const auto& s = timeline_.slices[i];
        if (s.end_s < start_s_ || s.start_s > t_end) continue;
        const double x1 = std::max<double>(kLeft, x_of(s.start_s));
        const double x2 = std::min<double>(width() - 8, x_of(s.end_s));
        p.fillRect(QRectF(x1, top, std::max(1.0, x2 - x1), h), color_of(s));
      }
    }
  }
  // Time axis: about eight ticks at round numbers.
  const int axis_y = height() - kBottom + 4;
  p.setPen(Qt::black);
  p.drawLine(kLeft, axis_y, width() - 8, axis_y);
  const double raw = span_s_ / 8;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double tick = raw / mag < 2 ? 2 * mag : raw / mag < 5 ? 5 * mag : 10 * mag;
  // One unit for the whole axis, and just the digits the tick spacing needs.
  const bool in_s = span_s_ >= 2;
  const double unit_scale = in_s ? 1 : span_s_ >= 2e-3 ? 1e3 : 1e6;
  const QString unit = in_s ? " s" : span_s_ >= 2e-3 ? " ms" : " us";
  const int digits = std::max(0, static_cast<int>(-std::floor(std::log10(tick * unit_scale))));
  for (double t = std::ceil(start_s_ / tick) * tick; t <= t_end; t += tick) {
    const int tx = static_cast<int>(x_of(t));
    p.drawLine(tx, axis_y, tx, axis_y + 4);
    p.drawText(tx + 2, axis_y + 16, QString::number(t * unit_scale, 'f', digits) + unit);
  }
}

void TimelineView::wheelEvent(QWheelEvent* e) {
  const double notches = e->angleDelta().y() / 120.0;
  zoom(std::pow(kZoomStep, notches), t_of(e->position().x()));
  e->accept();
}

void TimelineView::mousePressEvent(QMouseEvent* e) {
  dragging_ = e->button() == Qt::LeftButton;
  drag_from_ = e->pos();
  drag_start_s_ = start_s_;
}

void TimelineView::mouseMoveEvent(QMouseEvent* e) {
  if (!dragging_) return;
  start_s_ = drag_start_s_ - (e->pos().x() - drag_from_.x()) / std::max(1.0, double(width() - kLeft - 8)) * span_s_;
  clamp_view();
  update();
}

void TimelineView::mouseReleaseEvent(QMouseEvent*) { dragging_ = false; }
void TimelineView::mouseDoubleClickEvent(QMouseEvent*) { show_all(); }

const api::TimelineSlice* TimelineView::slice_at(QPoint pos) const {
  for (int r = 0; r < timeline_.ranks; ++r)
    for (int lane = 0; lane < 2; ++lane) {
      const int top = lane_top(r, lane == 1);
      if (pos.y() < top || pos.y() >= top + (lane == 0 ? kComputeH : kCommH)) continue;
      const double t = t_of(pos.x());
      const double slack = span_s_ / std::max(1, width()) * 2;  // two pixels, for slivers
      const api::TimelineSlice* best = nullptr;
      for (std::size_t i : lanes_[static_cast<std::size_t>(2 * r + lane)]) {
        const auto& s = timeline_.slices[i];
        if (s.start_s - slack <= t && t <= s.end_s + slack && (!best || s.kind != api::SliceKind::kBubble)) best = &s;
        if (s.start_s > t + slack) break;
      }
      return best;
    }
  return nullptr;
}

QString TimelineView::describe(const api::TimelineSlice& s) {
  QString kind = s.paired ? QString("F&B interleaved: ") + api::to_string(s.kind) : QString(api::to_string(s.kind));
  QString text = QString("%1 (%2, %3)\nrank %4, %5 .. %6, duration %7")
                     .arg(QString::fromStdString(s.op), kind, QString::fromStdString(s.category))
                     .arg(s.rank)
                     .arg(seconds_text(s.start_s), seconds_text(s.end_s), seconds_text(s.duration_s()));
  if (s.micro_batch >= 0) text += QString("\nmicro-batch %1").arg(s.micro_batch);
  return text;
}

bool TimelineView::event(QEvent* e) {
  if (e->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(e);
    if (const api::TimelineSlice* s = slice_at(help->pos()))
      QToolTip::showText(help->globalPos(), describe(*s), this);
    else
      QToolTip::hideText();
    return true;
  }
  return QWidget::event(e);
}

}  // namespace deepsim::gui

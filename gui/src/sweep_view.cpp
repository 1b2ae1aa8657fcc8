#include "gui/src/sweep_view.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QPainter>
#include <QScatterSeries>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTabWidget>
#include <QVBoxLayout>
#include <QVBarModelMapper>
#include <QVXYModelMapper>
#include <QValueAxis>
#include <algorithm>
#include <array>
#include <thread>

#include "gui/models/display.h"

namespace deepsim::gui {
namespace {

// Keys a planner sweeps most; any other schema key can be typed in (the combo boxes are editable).
const QStringList kSweepKeys = {"cluster.nodes", "parallel.ep", "parallel.pp", "parallel.dp", "parallel.schedule",
                                "cluster.gpu", "cluster.gpu_overrides.nvlink_gbps_per_direction",
                                "cluster.nic_overrides.line_rate_gbps", "parallel.micro_batches", "parallel.comm_sms",
                                "pricing.usd_per_gpu_hour", "training.tokens", "cluster.topology.kind"};

std::vector<std::string> split_values(const QString& text) {
  std::vector<std::string> out;
  for (const QString& v : text.split(',', Qt::SkipEmptyParts)) out.push_back(v.trimmed().toStdString());
  return out;
}

// Bar sets the pinned chart maps at most: more runs than this are in the table, not the chart.
constexpr int kMaxPinnedRuns = 16;

constexpr std::array kPhaseMetrics = {PhaseMetric::kGpuHours, PhaseMetric::kCostUsd, PhaseMetric::kDays};
const SweepMetric kMetrics[] = {SweepMetric::kGpuHours, SweepMetric::kCostUsd, SweepMetric::kStepTime, SweepMetric::kDays,
                                SweepMetric::kMfu};

}  // namespace

HeatMap::HeatMap(const SweepModel* model, QWidget* parent) : QWidget(parent), model_(model) {
  setMinimumSize(300, 200);
  connect(model, &QAbstractItemModel::rowsInserted, this, qOverload<>(&QWidget::update));
  connect(model, &QAbstractItemModel::modelReset, this, qOverload<>(&QWidget::update));
}

void HeatMap::set_metric(SweepMetric m) {
  metric_ = m;
  update();
}

void HeatMap::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), Qt::white);
  const auto& axes = model_->spec().axes;
  if (axes.size() < 2) return;
  const int rows = static_cast<int>(axes[0].values.size()), cols = static_cast<int>(axes[1].values.size());
  // The row labels' column is as wide as the widest label.
  int label_w = 0;
  for (const auto& v : axes[0].values)
    label_w = std::max(label_w, p.fontMetrics().horizontalAdvance(QString::fromStdString(axes[0].key + "=" + v)));
  const int kLabelW = label_w + 12, kLabelH = 40;
  const double cw = (width() - kLabelW - 4.0) / cols, ch = (height() - kLabelH - 24.0) / rows;
  p.drawText(QRect(0, 0, width(), 20), Qt::AlignCenter,
             to_string(metric_) + " (green: lowest, red: highest; grey: infeasible)");
  for (int j = 0; j < cols; ++j)
    p.drawText(QRectF(kLabelW + j * cw, 20, cw, kLabelH - 20), Qt::AlignCenter,
               QString::fromStdString(axes[1].key + "=" + axes[1].values[static_cast<std::size_t>(j)]));
  for (int i = 0; i < rows; ++i) {
    p.setPen(Qt::black);
    p.drawText(QRectF(0, kLabelH + i * ch, kLabelW - 4, ch), Qt::AlignRight | Qt::AlignVCenter,
               QString::fromStdString(axes[0].key + "=" + axes[0].values[static_cast<std::size_t>(i)]));
    for (int j = 0; j < cols; ++j) {
      const QRectF cell(kLabelW + j * cw + 1, kLabelH + i * ch + 1, cw - 2, ch - 2);
      const api::SweepPoint* pt = model_->point_at(static_cast<std::size_t>(i), static_cast<std::size_t>(j));
      if (!pt) {
        p.fillRect(cell, QColor(245, 245, 245));
        p.drawText(cell, Qt::AlignCenter, "...");
        continue;
      }
      const auto rel = model_->relative(*pt, metric_);
      if (!rel) {
        p.fillRect(cell, QBrush(QColor(190, 190, 190), Qt::BDiagPattern));
        p.drawText(cell, Qt::AlignCenter, pt->ran() ? "infeasible\nmemory > HBM" : "infeasible\n(plan)");
        continue;
      }
      p.fillRect(cell, QColor::fromHsvF((1.0 - *rel) / 3.0, 0.45, 0.95));  // green (low) .. red (high)
      p.drawText(cell, Qt::AlignCenter, metric_text(*pt->headline, metric_));
    }
  }
}

SweepView::SweepView(QWidget* parent)
    : QWidget(parent),
      runner_(new Runner(this)),
      model_(new SweepModel(this)),
      pinned_(new PinnedRunsModel(this)),
      pinned_phases_(new PinnedPhasesModel(pinned_, this)),
      curve_model_(new SweepCurveModel(model_, this)) {
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(make_controls());
  auto* tabs = tabs_ = new QTabWidget;
  auto* split = new QSplitter(Qt::Vertical);
  charts_ = new QStackedWidget;
  auto* chart = new QChart;
  chart->legend()->setAlignment(Qt::AlignBottom);
  curve_ = new QChartView(chart);
  curve_->setRenderHint(QPainter::Antialiasing);
  make_curve_series();
  heat_ = new HeatMap(model_);
  charts_->addWidget(curve_);
  charts_->addWidget(heat_);
  table_ = new QTableView;
  table_->setModel(model_);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setWordWrap(false);
  charts_->setMinimumHeight(340);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);
  split->addWidget(charts_);
  split->addWidget(table_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  tabs->addTab(split, "Sweep");
  tabs->addTab(make_pinned(), "Pinned runs");
  tabs->setObjectName("whatIfTabs");
  layout->addWidget(tabs, 1);
  connect(runner_, &Runner::pointFinished, this, &SweepView::point_arrived);
  connect(runner_, &Runner::progress, this, [this](int done, int total, const QString&) {
    progress_->setRange(0, std::max(total, 1));
    progress_->setValue(done);
  });
  auto finish = [this](const QString& why) {
    start_->setEnabled(true);
    cancel_->setEnabled(false);
    status_->setText(why + QString(" (%1 points, %2 feasible, %3 s)")
                               .arg(model_->rowCount())
                               .arg(model_->feasible_count())
                               .arg(runner_->elapsed_ms() / 1000.0, 0, 'f', 1));
  };
  connect(runner_, &Runner::sweepFinished, this, [finish] { finish("Sweep finished"); });
  connect(runner_, &Runner::cancelled, this, [finish] { finish("Sweep cancelled"); });
  connect(runner_, &Runner::failed, this, [this, finish](const QString& m) {
    finish("Sweep failed");
    status_->setText(m);
  });
  connect(pinned_phases_, &QAbstractItemModel::modelReset, this, &SweepView::redraw_pinned);
  connect(curve_model_->feasible(), &QAbstractItemModel::modelReset, this, &SweepView::redraw);
}

void SweepView::show_pinned() { tabs_->setCurrentIndex(1); }

// The curve's two series, bound once to the curve model's tables: the feasible points as a line, the
// infeasible ones as red squares on the axis.
void SweepView::make_curve_series() {
  line_ = new QLineSeries;
  line_->setPointsVisible(true);
  bad_ = new QScatterSeries;
  bad_->setName("infeasible (memory over HBM, or plan does not load)");
  bad_->setColor(QColor(200, 0, 0));
  bad_->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
  auto bind = [](QXYSeries* series, ChartTable* table) {
    auto* mapper = new QVXYModelMapper(series);
    mapper->setXColumn(kChartX);
    mapper->setYColumn(kChartY);
    mapper->setModel(table);
    mapper->setSeries(series);
  };
  bind(line_, curve_model_->feasible());
  bind(bad_, curve_model_->infeasible());
  curve_->chart()->addSeries(line_);
  curve_->chart()->addSeries(bad_);
}

QWidget* SweepView::make_controls() {
  auto* box = new QWidget;
  auto* h = new QHBoxLayout(box);
  auto* form = new QFormLayout;
  auto axis_row = [&](QComboBox*& key, QLineEdit*& values, const QString& label) {
    key = new QComboBox;
    key->setEditable(true);
    key->addItems(kSweepKeys);
    values = new QLineEdit;
    values->setPlaceholderText("values, comma separated: 128, 256, 512");
    auto* row = new QHBoxLayout;
    row->addWidget(key, 2);
    row->addWidget(values, 3);
    form->addRow(label, row);
  };
  axis_row(key1_, values1_, "Parameter 1");
  axis_row(key2_, values2_, "Parameter 2");
  key1_->setObjectName("sweepKey1");
  values1_->setObjectName("sweepValues1");
  key2_->setObjectName("sweepKey2");
  values2_->setObjectName("sweepValues2");
  two_axes_ = new QCheckBox("sweep two parameters (heat map)");
  two_axes_->setObjectName("sweepTwoAxes");
  form->addRow("", two_axes_);
  h->addLayout(form, 3);
  auto* right = new QVBoxLayout;
  metric_ = new QComboBox;
  for (SweepMetric m : kMetrics) metric_->addItem(to_string(m));
  connect(metric_, &QComboBox::currentIndexChanged, this, [this] { redraw(); });
  start_ = new QPushButton("Run sweep");
  start_->setObjectName("sweepStart");
  cancel_ = new QPushButton("Cancel");
  cancel_->setObjectName("sweepCancel");
  cancel_->setEnabled(false);
  auto* pin = new QPushButton("Pin selected point");
  progress_ = new QProgressBar;
  progress_->setObjectName("sweepProgress");
  status_ = new QLabel(QString("Runs on %1 threads.").arg(std::max(1U, std::thread::hardware_concurrency())));
  status_->setObjectName("sweepStatus");
  status_->setWordWrap(true);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(new QLabel("Plot"));
  buttons->addWidget(metric_, 1);
  buttons->addWidget(start_);
  buttons->addWidget(cancel_);
  buttons->addWidget(pin);
  right->addLayout(buttons);
  right->addWidget(progress_);
  right->addWidget(status_);
  h->addLayout(right, 2);
  connect(start_, &QPushButton::clicked, this, &SweepView::start);
  connect(cancel_, &QPushButton::clicked, runner_, &Runner::cancel);
  connect(pin, &QPushButton::clicked, this, &SweepView::pin_selected);
  return box;
}

QWidget* SweepView::make_pinned() {
  auto* split = new QSplitter(Qt::Vertical);  // the overlay on top, the table of differences below
  auto* table = new QTableView;
  table->setModel(pinned_);
  table->setWordWrap(false);
  table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  auto* right = new QWidget;
  auto* v = new QVBoxLayout(right);
  v->setContentsMargins(0, 0, 0, 0);
  auto* row = new QHBoxLayout;
  pinned_metric_ = new QComboBox;
  pinned_metric_->setObjectName("pinnedMetric");
  for (PhaseMetric m : kPhaseMetrics) pinned_metric_->addItem(to_string(m));
  connect(pinned_metric_, &QComboBox::currentIndexChanged, this,
          [this](int i) { pinned_phases_->set_metric(kPhaseMetrics.at(static_cast<std::size_t>(std::max(0, i)))); });
  row->addWidget(new QLabel("Overlay by phase:"));
  row->addWidget(pinned_metric_, 1);
  v->addLayout(row);
  auto* chart = new QChart;
  chart->legend()->setAlignment(Qt::AlignBottom);
  pinned_bars_ = new QBarSeries;
  auto* mapper = new QVBarModelMapper(pinned_bars_);
  mapper->setFirstBarSetColumn(0);
  mapper->setLastBarSetColumn(kMaxPinnedRuns - 1);  // one bar set per pinned run, as many as there are
  mapper->setModel(pinned_phases_);
  mapper->setSeries(pinned_bars_);
  chart->addSeries(pinned_bars_);
  pinned_x_ = new QBarCategoryAxis;
  pinned_y_ = new QValueAxis;
  chart->addAxis(pinned_x_, Qt::AlignBottom);
  chart->addAxis(pinned_y_, Qt::AlignLeft);
  pinned_bars_->attachAxis(pinned_x_);
  pinned_bars_->attachAxis(pinned_y_);
  pinned_chart_ = new QChartView(chart);
  pinned_chart_->setRenderHint(QPainter::Antialiasing);
  pinned_chart_->setObjectName("pinnedChart");
  v->addWidget(pinned_chart_, 1);
  right->setMinimumHeight(300);
  split->addWidget(right);
  split->addWidget(table);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  redraw_pinned();
  return split;
}

void SweepView::redraw_pinned() {
  pinned_chart_->chart()->setTitle("Pinned runs overlaid: " + to_string(pinned_phases_->metric()) + " by phase");
  pinned_x_->setCategories(pinned_phases_->row_labels());
  pinned_y_->setRange(0, pinned_phases_->axis_top());
  pinned_y_->applyNiceNumbers();
  pinned_y_->setLabelFormat(pinned_phases_->axis_top() >= 1000 ? "%.0f" : "%.3g");
  pinned_y_->setTitleText(to_string(pinned_phases_->metric()));
}

void SweepView::set_axes(const QString& key1, const QString& values1, const QString& key2, const QString& values2) {
  key1_->setCurrentText(key1);
  values1_->setText(values1);
  key2_->setCurrentText(key2);
  values2_->setText(values2);
  two_axes_->setChecked(!key2.isEmpty());
}

QString SweepView::status_text() const { return status_->text(); }

void SweepView::start() {
  api::SweepSpec spec;
  spec.base = base_;
  spec.axes.push_back({key1_->currentText().trimmed().toStdString(), split_values(values1_->text())});
  if (two_axes_->isChecked()) spec.axes.push_back({key2_->currentText().trimmed().toStdString(), split_values(values2_->text())});
  try {
    (void)api::to_sweep(spec);  // unknown keys and empty lists fail here, before anything runs
  } catch (const std::exception& e) {
    status_->setText(QString::fromStdString(e.what()));
    return;
  }
  model_->start(spec);
  charts_->setCurrentWidget(spec.axes.size() == 2 ? static_cast<QWidget*>(heat_) : curve_);
  redraw();
  if (!runner_->start_sweep(spec)) return;
  start_->setEnabled(false);
  cancel_->setEnabled(true);
  progress_->setValue(0);
  status_->setText("Sweeping...");
}

void SweepView::point_arrived(const api::SweepPoint& p) {
  model_->add_point(p);  // the curve model follows; its reset redraws the axes
  heat_->update();
}

void SweepView::redraw() {
  const SweepMetric m = kMetrics[std::max(0, metric_->currentIndex())];
  heat_->set_metric(m);
  if (curve_model_->metric() != m) {
    curve_model_->set_metric(m);  // the tables' reset calls redraw again
    return;
  }
  if (model_->spec().axes.size() != 1) return;
  QChart* chart = curve_->chart();
  for (QAbstractAxis* a : chart->axes()) chart->removeAxis(a);
  const auto& axis = model_->spec().axes[0];
  chart->setTitle(to_string(m) + " against " + QString::fromStdString(axis.key));
  line_->setName(to_string(m));
  auto* y = new QValueAxis;
  const double top = curve_model_->feasible()->axis_top(kChartY, kChartY);
  y->setRange(0, top);
  y->applyNiceNumbers();
  y->setLabelFormat(top >= 1000 ? "%.0f" : "%.3g");
  y->setTitleText(to_string(m));
  chart->addAxis(y, Qt::AlignLeft);
  QAbstractAxis* x = nullptr;
  if (model_->axis_numeric(0)) {
    auto* vx = new QValueAxis;
    vx->setRange(curve_model_->x_min(), curve_model_->x_max());
    vx->setTitleText(QString::fromStdString(axis.key));
    vx->setLabelFormat("%.4g");
    x = vx;
  } else {
    auto* cx = new QBarCategoryAxis;
    for (const auto& v : axis.values) cx->append(QString::fromStdString(v));
    x = cx;
  }
  chart->addAxis(x, Qt::AlignBottom);
  for (QAbstractSeries* s : chart->series()) {
    s->attachAxis(x);
    s->attachAxis(y);
  }
}

void SweepView::pin_selected() {
  const auto rows = table_->selectionModel() ? table_->selectionModel()->selectedRows() : QModelIndexList{};
  for (const QModelIndex& r : rows) {
    const api::SweepPoint& p = model_->rows().at(static_cast<std::size_t>(r.row()));
    if (p.ran()) pinned_->pin(QString::fromStdString(p.label), *p.headline, p.phases);
  }
}

}  // namespace deepsim::gui

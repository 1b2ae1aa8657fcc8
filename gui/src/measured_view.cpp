#include "gui/src/measured_view.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineSeries>
#include <QPushButton>
#include <QScatterSeries>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <QVBarModelMapper>
#include <QVXYModelMapper>
#include <QValueAxis>

namespace deepsim::gui {

MeasuredView::MeasuredView(QWidget* parent)
    : QWidget(parent), model_(new CompareModel(this)), charts_(new CompareChartModel(model_, this)) {
  auto* layout = new QVBoxLayout(this);
  auto* buttons = new QHBoxLayout;
  auto* open = new QPushButton("Load measured run / Kineto trace / compare.json...");
  auto* clear = new QPushButton("Clear");
  status_ = new QLabel("Load deepsim-exec measured runs (docs/measured-run.md), PyTorch-profiler traces or "
                       "`deepsim-calibrate compare --json` output.");
  status_->setWordWrap(true);
  status_->setObjectName("measuredStatus");
  // A Kineto trace says neither which layers it holds nor its micro-batch: the user says which layers.
  first_layer_ = new QSpinBox;
  first_layer_->setObjectName("kinetoFirstLayer");
  first_layer_->setRange(-1, 1 << 12);
  first_layer_->setValue(-1);
  first_layer_->setSpecialValueText("first MoE layer");
  first_layer_->setToolTip("The first transformer layer (0-based) a Kineto trace covers; the prediction is for these "
                           "layers' forward and backward on one micro-batch of the scenario.");
  layers_ = new QSpinBox;
  layers_->setObjectName("kinetoLayers");
  layers_->setRange(1, 1 << 12);
  layers_->setValue(1);
  layers_->setSuffix(" layer(s)");
  buttons->addWidget(open);
  buttons->addWidget(clear);
  buttons->addWidget(new QLabel("Kineto trace covers:"));
  buttons->addWidget(first_layer_);
  buttons->addWidget(layers_);
  buttons->addWidget(status_, 1);
  layout->addLayout(buttons);
  auto* split = new QSplitter(Qt::Vertical);
  auto* charts = new QSplitter(Qt::Horizontal);
  auto make_chart = [](const QString& title) {
    auto* c = new QChart;
    c->setTitle(title);
    c->legend()->setAlignment(Qt::AlignBottom);
    auto* v = new QChartView(c);
    v->setRenderHint(QPainter::Antialiasing);
    return v;
  };
  scatter_ = make_chart("Predicted against measured (ms per step); on the line: exact");
  errors_ = make_chart("Error of the prediction (%)");
  charts->addWidget(scatter_);
  charts->addWidget(errors_);
  auto* table = new QTableView;
  table->setModel(model_);
  table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table->horizontalHeader()->setStretchLastSection(true);
  split->addWidget(charts);
  split->addWidget(table);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  charts->setMinimumHeight(360);
  layout->addWidget(split, 1);
  connect(open, &QPushButton::clicked, this, [this] {
    for (const QString& f : QFileDialog::getOpenFileNames(this, "Load measured data", {}, "JSON (*.json);;All files (*)")) load_file(f);
  });
  connect(clear, &QPushButton::clicked, this, [this] { model_->clear(); });
  make_series();
  connect(charts_, &CompareChartModel::rebuilt, this, &MeasuredView::update_axes);
  update_axes();
}

void MeasuredView::load_file(const QString& path) {
  QFile f(path);
  const QByteArray head = f.open(QIODevice::ReadOnly) ? f.read(4096) : QByteArray();
  try {
    if (head.contains("deepsim.compare/1")) {
      model_->add_compare_json(path.toStdString());
    } else if (head.contains("deepsim.measured-run/1")) {
      if (!scenario_) throw std::runtime_error("open a valid scenario first: its kernel model predicts the kernels");
      model_->add_measured_run(path.toStdString(), *scenario_);
    } else {
      // Predicted when a scenario is open, measured only otherwise.
      model_->add_kineto_trace(path.toStdString(), scenario_ ? &*scenario_ : nullptr, kineto_span());
    }
    // A file may say what it is ("note": a synthetic example); show that beside its name.
    const int at = head.indexOf("\"note\"");
    const QString note = at < 0 ? QString() : QString::fromUtf8(head.mid(at).split('"').value(3));
    status_->setText("Loaded " + QFileInfo(path).fileName() + (note.isEmpty() ? "" : " - " + note));
  } catch (const std::exception& e) {
    status_->setText(QString::fromStdString(e.what()));
  }
}

// Each series bound once to its table: kernel classes, phases and steps as scatters, y = x as a dashed
// line, the errors as bars.
void MeasuredView::make_series() {
  auto bind_xy = [](QXYSeries* series, ChartTable* table) {
    auto* mapper = new QVXYModelMapper(series);
    mapper->setXColumn(kChartX);
    mapper->setYColumn(kChartY);
    mapper->setModel(table);
    mapper->setSeries(series);
  };
  auto* diagonal = new QLineSeries;
  diagonal->setName("y = x");
  diagonal->setPen(QPen(Qt::gray, 1, Qt::DashLine));
  bind_xy(diagonal, charts_->diagonal());
  scatter_->chart()->addSeries(diagonal);
  struct Level {
    CompareLevel level;
    const char* name;
    QScatterSeries::MarkerShape shape;
    qreal size;
  };
  constexpr qreal kMarker = 15, kStepMarker = 14;
  for (const Level& l : {Level{CompareLevel::kClass, "kernel class", QScatterSeries::MarkerShapeCircle, kMarker},
                         Level{CompareLevel::kPhase, "phase F/B/W", QScatterSeries::MarkerShapeRectangle, kMarker},
                         Level{CompareLevel::kStep, "step", QScatterSeries::MarkerShapeCircle, kStepMarker}}) {
    auto* s = new QScatterSeries;
    s->setName(l.name);
    s->setMarkerShape(l.shape);
    s->setMarkerSize(l.size);
    bind_xy(s, charts_->points(l.level));
    scatter_->chart()->addSeries(s);
  }
  auto* bars = new QBarSeries;
  auto* mapper = new QVBarModelMapper(bars);
  mapper->setFirstBarSetColumn(0);
  mapper->setLastBarSetColumn(0);
  mapper->setModel(charts_->errors());
  mapper->setSeries(bars);
  errors_->chart()->addSeries(bars);
  measured_axis_ = new QValueAxis;
  measured_axis_->setTitleText("measured (ms)");
  predicted_axis_ = new QValueAxis;
  predicted_axis_->setTitleText("predicted (ms)");
  scatter_->chart()->addAxis(measured_axis_, Qt::AlignBottom);
  scatter_->chart()->addAxis(predicted_axis_, Qt::AlignLeft);
  for (QAbstractSeries* s : scatter_->chart()->series()) {
    s->attachAxis(measured_axis_);
    s->attachAxis(predicted_axis_);
  }
  error_keys_ = new QBarCategoryAxis;
  error_axis_ = new QValueAxis;
  error_axis_->setTitleText("%");
  errors_->chart()->addAxis(error_keys_, Qt::AlignBottom);
  errors_->chart()->addAxis(error_axis_, Qt::AlignLeft);
  bars->attachAxis(error_keys_);
  bars->attachAxis(error_axis_);
}

void MeasuredView::update_axes() {
  measured_axis_->setRange(0, charts_->edge());
  predicted_axis_->setRange(0, charts_->edge());
  error_keys_->setCategories(charts_->errors()->row_labels());
  error_axis_->setRange(charts_->error_low(), charts_->error_high());
  error_axis_->applyNiceNumbers();
}

}  // namespace deepsim::gui

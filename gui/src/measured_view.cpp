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
#include <QValueAxis>

namespace deepsim::gui {

MeasuredView::MeasuredView(QWidget* parent) : QWidget(parent), model_(new CompareModel(this)) {
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
  connect(clear, &QPushButton::clicked, this, [this] {
    model_->clear();
    redraw();
  });
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
  redraw();
}

void MeasuredView::redraw() {
  QChart* sc = scatter_->chart();
  sc->removeAllSeries();
  for (QAbstractAxis* a : sc->axes()) sc->removeAxis(a);
  auto* classes = new QScatterSeries;
  classes->setName("kernel class");
  auto* phases = new QScatterSeries;
  phases->setName("phase F/B/W");
  phases->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
  auto* steps = new QScatterSeries;
  steps->setName("step");
  steps->setMarkerSize(14);
  double top = 0;
  auto* err = new QBarSet("error %");
  QStringList labels;
  for (const CompareEntry& e : model_->rows()) {
    if (!e.predicted_s) continue;
    const double m = e.measured_s * 1e3, p = *e.predicted_s * 1e3;
    (e.level == "step" ? steps : e.level == "phase" ? phases : classes)->append(m, p);
    top = std::max({top, m, p});
    *err << 100 * e.error().value_or(0);
    labels << QString::fromStdString(e.key);
  }
  auto* diagonal = new QLineSeries;
  diagonal->setName("y = x");
  diagonal->setPen(QPen(Qt::gray, 1, Qt::DashLine));
  const double edge = top > 0 ? top * 1.1 : 1;
  diagonal->append(0, 0);
  diagonal->append(edge, edge);
  for (QAbstractSeries* s : {static_cast<QAbstractSeries*>(diagonal), static_cast<QAbstractSeries*>(classes),
                             static_cast<QAbstractSeries*>(phases), static_cast<QAbstractSeries*>(steps)})
    sc->addSeries(s);
  auto* x = new QValueAxis;
  x->setRange(0, edge);
  x->setTitleText("measured (ms)");
  auto* y = new QValueAxis;
  y->setRange(0, edge);
  y->setTitleText("predicted (ms)");
  sc->addAxis(x, Qt::AlignBottom);
  sc->addAxis(y, Qt::AlignLeft);
  for (QAbstractSeries* s : sc->series()) {
    s->attachAxis(x);
    s->attachAxis(y);
  }
  QChart* ec = errors_->chart();
  ec->removeAllSeries();
  for (QAbstractAxis* a : ec->axes()) ec->removeAxis(a);
  auto* bars = new QBarSeries;
  bars->append(err);
  ec->addSeries(bars);
  auto* cx = new QBarCategoryAxis;
  cx->append(labels);
  auto* vy = new QValueAxis;
  vy->setTitleText("%");
  double lo = 0, hi = 0;
  for (int i = 0; i < err->count(); ++i) {
    lo = std::min(lo, err->at(i));
    hi = std::max(hi, err->at(i));
  }
  vy->setRange(lo - 5, hi + 5);
  vy->applyNiceNumbers();
  ec->addAxis(cx, Qt::AlignBottom);
  ec->addAxis(vy, Qt::AlignLeft);
  bars->attachAxis(cx);
  bars->attachAxis(vy);
}

}  // namespace deepsim::gui

#include "gui/src/dashboard.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QGridLayout>
#include <QHeaderView>
#include <QLineSeries>
#include <QPushButton>
#include <QSplitter>
#include <QStackedBarSeries>
#include <QTabWidget>
#include <QTableView>
#include <QVBarModelMapper>
#include <QVBoxLayout>
#include <QVXYModelMapper>
#include <QValueAxis>

namespace deepsim::gui {
namespace {

QString cell(const QAbstractItemModel* m, int row, int column) { return m->data(m->index(row, column)).toString(); }
double number(const QAbstractItemModel* m, int row, int column) { return m->data(m->index(row, column), kValueRole).toDouble(); }

QTableView* table(QAbstractItemModel* model) {
  auto* t = new QTableView;
  t->setModel(model);
  t->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  t->horizontalHeader()->setStretchLastSection(true);
  t->verticalHeader()->hide();
  t->setAlternatingRowColors(true);
  return t;
}

QChartView* chart_view(const QString& title) {
  auto* chart = new QChart;
  chart->setTitle(title);
  chart->legend()->setAlignment(Qt::AlignBottom);
  chart->setMargins(QMargins(4, 4, 4, 4));
  auto* view = new QChartView(chart);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumHeight(220);
  return view;
}

QBarSeries* mapped_bars(QAbstractItemModel* numbers, int first, int last, QAbstractBarSeries* series) {
  auto* mapper = new QVBarModelMapper(series);
  mapper->setFirstBarSetColumn(first);
  mapper->setLastBarSetColumn(last);
  mapper->setModel(numbers);
  mapper->setSeries(series);
  return qobject_cast<QBarSeries*>(series);
}

// Category labels and a value range that fits the model's largest figure in `columns`.
void fit_axes(QChart* chart, const QAbstractItemModel* model, int label_column, std::initializer_list<int> columns,
              bool stacked, const QString& unit) {
  QStringList labels;
  double top = 0;
  for (int r = 0; r < model->rowCount(); ++r) {
    labels << cell(model, r, label_column);
    double sum = 0;
    for (int c : columns) {
      top = std::max(top, number(model, r, c));
      sum += number(model, r, c);
    }
    if (stacked) top = std::max(top, sum);
  }
  for (QAbstractAxis* a : chart->axes()) chart->removeAxis(a);
  auto* x = new QBarCategoryAxis;
  x->append(labels);
  auto* y = new QValueAxis;
  y->setRange(0, top > 0 ? top * 1.1 : 1);
  y->applyNiceNumbers();
  y->setLabelFormat(top >= 1000 ? "%.0f" : "%.3g");  // 3000000, not 3e+06
  y->setTitleText(unit);
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  for (QAbstractSeries* s : chart->series()) {
    s->attachAxis(x);
    s->attachAxis(y);
  }
}

}  // namespace

Dashboard::Dashboard(QWidget* parent)
    : QWidget(parent),
      headline_(make_headline_model(this)),
      memory_(make_stage_memory_model(this)),
      phases_(make_phase_model(this)),
      links_(make_link_model(this)),
      memory_numbers_(new NumericProxy(this)),
      phase_numbers_(new NumericProxy(this)),
      link_numbers_(new NumericProxy(this)) {
  memory_numbers_->setSourceModel(memory_);
  phase_numbers_->setSourceModel(phases_);
  link_numbers_->setSourceModel(links_);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(make_headline());
  auto* split = new QSplitter(Qt::Vertical);
  auto* charts = new QWidget;
  auto* grid = new QGridLayout(charts);
  grid->setContentsMargins(0, 0, 0, 0);
  phase_chart_ = make_phase_chart();
  memory_chart_ = make_memory_chart();
  link_chart_ = make_link_chart();
  cost_chart_ = make_cost_chart();
  grid->addWidget(phase_chart_, 0, 0);
  grid->addWidget(cost_chart_, 0, 1);
  grid->addWidget(memory_chart_, 1, 0);
  grid->addWidget(link_chart_, 1, 1);
  split->addWidget(charts);
  auto* tables = new QTabWidget;
  tables->addTab(table(headline_), "All figures");
  tables->addTab(table(memory_), "Memory per stage");
  tables->addTab(table(phases_), "Phases");
  tables->addTab(table(links_), "Links");
  notes_ = new QListWidget;
  notes_->setWordWrap(true);
  tables->addTab(notes_, "Notes and assumptions");
  split->addWidget(tables);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  layout->addWidget(split, 1);
}

QWidget* Dashboard::make_headline() {
  auto* box = new QWidget;
  auto* grid = new QGridLayout(box);
  title_ = new QLabel("No run yet: open a scenario and press Run.");
  title_->setObjectName("dashboardTitle");
  title_->setStyleSheet("font-weight: bold;");
  grid->addWidget(title_, 0, 0, 1, 5);
  auto card = [&](int column, const QString& caption, const QString& name) {
    auto* cap = new QLabel(caption);
    cap->setStyleSheet("color: #555;");
    auto* value = new QLabel("-");
    value->setObjectName(name);
    value->setStyleSheet("font-size: 20px; font-weight: bold;");
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    grid->addWidget(cap, 1, column);
    grid->addWidget(value, 2, column);
    return value;
  };
  gpu_hours_ = card(0, "GPU-hours, whole run", "headlineGpuHours");
  days_ = card(1, "Wall time", "headlineDays");
  cost_ = card(2, "Cost: rental / ownership", "headlineCost");
  mfu_ = card(3, "MFU (BF16 / FP8 peak) and tokens/s", "headlineMfu");
  memory_fit_ = card(4, "Memory", "headlineMemory");
  reference_ = new QLabel;
  reference_->setObjectName("headlineReference");
  reference_->setWordWrap(true);
  reference_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  reference_->hide();
  grid->addWidget(reference_, 3, 0, 1, 5);
  auto* pin = new QPushButton("Pin this run");
  pin->setObjectName("pinRun");
  pin->setToolTip("Keep this run's figures to compare with other runs (What-if > Pinned runs)");
  connect(pin, &QPushButton::clicked, this, &Dashboard::pinRequested);
  grid->addWidget(pin, 0, 5, 3, 1);
  return box;
}

QChartView* Dashboard::make_phase_chart() {
  auto* view = chart_view("GPU-hours by phase");
  auto* hours = new QBarSeries;
  mapped_bars(phase_numbers_, kPhaseGpuHours, kPhaseGpuHours, hours);
  view->chart()->addSeries(hours);
  return view;
}

QChartView* Dashboard::make_cost_chart() {
  auto* view = chart_view("Cost by phase: rental and ownership");
  auto* usd = new QBarSeries;
  mapped_bars(phase_numbers_, kPhaseRental, kPhaseOwnership, usd);
  view->chart()->addSeries(usd);
  return view;
}

QChartView* Dashboard::make_memory_chart() {
  auto* view = chart_view("Memory per GPU by pipeline stage against HBM");
  auto* stacked = new QStackedBarSeries;
  mapped_bars(memory_numbers_, kMemWeights, kMemActiv, stacked);
  view->chart()->addSeries(stacked);
  auto* hbm = new QLineSeries;
  hbm->setName("HBM");
  hbm->setPen(QPen(QColor(200, 0, 0), 2, Qt::DashLine));
  auto* mapper = new QVXYModelMapper(hbm);
  mapper->setXColumn(kMemStage);
  mapper->setYColumn(kMemHbm);
  mapper->setModel(memory_numbers_);
  mapper->setSeries(hbm);
  view->chart()->addSeries(hbm);
  return view;
}

QChartView* Dashboard::make_link_chart() {
  auto* view = chart_view("Link utilisation by class (one step)");
  auto* bars = new QBarSeries;
  mapped_bars(link_numbers_, kLinkMeanUtil, kLinkMaxUtil, bars);
  view->chart()->addSeries(bars);
  return view;
}

void Dashboard::update_axes() {
  fit_axes(phase_chart_->chart(), phases_, kPhaseName, {kPhaseGpuHours}, false, "GPU-hours");
  fit_axes(cost_chart_->chart(), phases_, kPhaseName, {kPhaseRental, kPhaseOwnership}, false, "$");
  fit_axes(memory_chart_->chart(), memory_, kMemStage, {kMemWeights, kMemMaster, kMemGrads, kMemOptim, kMemActiv, kMemHbm},
           true, "GB");
  fit_axes(link_chart_->chart(), links_, kLinkClass, {kLinkMeanUtil, kLinkMaxUtil}, false, "% of capacity");
}

void Dashboard::show_run(const RunBundlePtr& run) {
  const api::RunSummary& s = run->summary;
  headline_->set_rows(headline_metrics(s.headline));
  memory_->set_rows(s.memory);
  phases_->set_rows(s.phases);
  links_->set_rows(s.links);
  auto text = [&](HeadlineRow row) { return cell(headline_, static_cast<int>(row), 1); };
  title_->setText(QString::fromStdString(s.headline.scenario) + ": " + QString::number(s.headline.gpus) + " x " +
                  QString::fromStdString(s.headline.gpu) + ", step " + text(HeadlineRow::kStepTime));
  gpu_hours_->setText(text(HeadlineRow::kGpuHours));
  days_->setText(text(HeadlineRow::kDays));
  cost_->setText(text(HeadlineRow::kRentalUsd) + " / " + text(HeadlineRow::kOwnershipUsd));
  mfu_->setText(text(HeadlineRow::kMfuBf16) + " / " + text(HeadlineRow::kMfuFp8) + ", " + text(HeadlineRow::kTokensPerS));
  memory_fit_->setText(text(HeadlineRow::kMemory));
  memory_fit_->setStyleSheet(QString("font-size: 20px; font-weight: bold; color: %1;")
                                 .arg(s.headline.memory_fits ? "#107010" : "#c00000"));
  QStringList ref;
  for (const ReferenceRow& r : s.reference)
    ref << QString::fromStdString(r.quantity + ": predicted " + value_text(r, r.predicted) + " against " +
                                  value_text(r, r.reference) + " (" + error_text(r) + ")");
  reference_->setText(ref.isEmpty() ? QString() : "Against the " + QString::fromStdString(run->output.scenario.reference.kind) +
                                                      " reference: " + ref.join("; ") + ".");
  reference_->setToolTip(s.reference.empty() ? QString() : QString::fromStdString(s.reference.front().source));
  reference_->setVisible(!ref.isEmpty());
  notes_->clear();
  for (const ReferenceRow& r : s.reference)
    notes_->addItem(QString::fromStdString("reference " + r.quantity + ": " + r.source));
  for (const auto& n : s.notes) notes_->addItem(QString::fromStdString(n));
  update_axes();
}

}  // namespace deepsim::gui

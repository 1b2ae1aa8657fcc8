#include "gui/src/serve_view.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QChart>
#include <QChartView>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QSplitter>
#include <QTableView>
#include <QVBarModelMapper>
#include <QVBoxLayout>
#include <QValueAxis>
#include <thread>

namespace deepsim::gui {
namespace {

constexpr ServeMetric kMetrics[] = {ServeMetric::kDecodeTokensPerSNode, ServeMetric::kTpotMs, ServeMetric::kUsdPerMOutput};

// The parameters the serving what-if is about (docs/serving.md, "What-if"), each with values to start from.
struct Preset {
  const char* key;
  const char* values;
};
constexpr Preset kPresets[] = {{api::kServeDecodeEp, "32, 72, 144, 288"},
                               {api::kServeDecodeBatch, "32, 64, 128, 256, 512"},
                               {api::kServeMtpAcceptance, "0.6, 0.7, 0.8, 0.9"},
                               {api::kServeGpu, "H800, H20, H200, B200"}};

std::vector<std::string> split_values(const QString& text) {
  std::vector<std::string> out;
  for (const QString& v : text.split(',', Qt::SkipEmptyParts)) out.push_back(v.trimmed().toStdString());
  return out;
}

}  // namespace

ServeView::ServeView(QWidget* parent) : QWidget(parent), runner_(new Runner(this)), model_(new ServeSweepModel(this)) {
  for (ServeMetric m : kMetrics) charts_[static_cast<std::size_t>(m)] = new ServeChartModel(model_, m, this);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(make_controls());
  auto* split = new QSplitter(Qt::Vertical);
  auto* row = new QWidget;
  auto* h = new QHBoxLayout(row);
  h->setContentsMargins(0, 0, 0, 0);
  for (ServeMetric m : kMetrics) h->addWidget(views_[static_cast<std::size_t>(m)] = make_chart(m));
  for (ServeMetric m : kMetrics) redraw(m);  // empty axes until a sweep starts
  row->setMinimumHeight(340);
  auto* table = new QTableView;
  table->setModel(model_);
  table->setWordWrap(false);
  table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table->horizontalHeader()->setStretchLastSection(true);
  split->addWidget(row);
  split->addWidget(table);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  layout->addWidget(split, 1);
  connect(runner_, &Runner::servePointFinished, model_, &ServeSweepModel::add_point);
  connect(runner_, &Runner::progress, this, [this](int done, int total, const QString&) {
    progress_->setRange(0, std::max(total, 1));
    progress_->setValue(done);
  });
  auto finish = [this](const QString& why) {
    start_->setEnabled(true);
    cancel_->setEnabled(false);
    status_->setText(why + QString(" (%1 points, %2 ran, %3 s)")
                               .arg(model_->rowCount())
                               .arg(model_->ran_count())
                               .arg(runner_->elapsed_ms() / 1000.0, 0, 'f', 1));
  };
  connect(runner_, &Runner::sweepFinished, this, [finish] { finish("Serving sweep finished"); });
  connect(runner_, &Runner::cancelled, this, [finish] { finish("Serving sweep cancelled"); });
  connect(runner_, &Runner::failed, this, [this, finish](const QString& m) {
    finish("Serving sweep failed");
    status_->setText(m);
  });
  set_scenario_file(QStringLiteral(DEEPSIM_SOURCE_DIR "/scenarios/serving/deepseek-v3-h800.yaml"));
}

QWidget* ServeView::make_controls() {
  auto* box = new QWidget;
  auto* h = new QHBoxLayout(box);
  auto* form = new QFormLayout;
  file_ = new QLineEdit;
  file_->setReadOnly(true);
  file_->setObjectName("serveScenario");
  auto* open = new QPushButton("Open...");
  connect(open, &QPushButton::clicked, this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, "Open a serving scenario", file_->text(), "Scenarios (*.yaml *.yml)");
    if (!f.isEmpty()) set_scenario_file(f);
  });
  auto* file_row = new QHBoxLayout;
  file_row->addWidget(file_, 1);
  file_row->addWidget(open);
  form->addRow("Serving scenario", file_row);
  key_ = new QComboBox;
  key_->setEditable(true);  // any schema key can be typed in
  key_->setObjectName("serveKey");
  for (const Preset& p : kPresets) key_->addItem(p.key, QString(p.values));
  values_ = new QLineEdit(kPresets[0].values);
  values_->setObjectName("serveValues");
  values_->setPlaceholderText("values, comma separated");
  connect(key_, &QComboBox::activated, this, [this](int i) { values_->setText(key_->itemData(i).toString()); });
  auto* key_row = new QHBoxLayout;
  key_row->addWidget(key_, 2);
  key_row->addWidget(values_, 3);
  form->addRow("Parameter", key_row);
  h->addLayout(form, 3);
  auto* right = new QVBoxLayout;
  auto* buttons = new QHBoxLayout;
  start_ = new QPushButton("Run serving sweep");
  start_->setObjectName("serveStart");
  cancel_ = new QPushButton("Cancel");
  cancel_->setObjectName("serveCancel");
  cancel_->setEnabled(false);
  buttons->addWidget(start_);
  buttons->addWidget(cancel_);
  buttons->addStretch(1);
  progress_ = new QProgressBar;
  progress_->setObjectName("serveProgress");
  status_ = new QLabel(QString("Each point is `deepsim serve --set KEY=VALUE` (n/a: does not fit or load; *: TPOT over the SLO); %1 threads.")
                           .arg(std::max(1U, std::thread::hardware_concurrency())));
  status_->setObjectName("serveStatus");
  status_->setWordWrap(true);
  right->addLayout(buttons);
  right->addWidget(progress_);
  right->addWidget(status_);
  h->addLayout(right, 2);
  connect(start_, &QPushButton::clicked, this, &ServeView::start);
  connect(cancel_, &QPushButton::clicked, runner_, &Runner::cancel);
  return box;
}

QChartView* ServeView::make_chart(ServeMetric m) {
  ServeChartModel* table = chart_model(m);
  auto* chart = new QChart;
  chart->setTitle(to_string(m));
  chart->legend()->hide();  // one bar set; the title names it
  chart->setMargins(QMargins(4, 4, 4, 4));
  auto* bars = new QBarSeries;
  auto* mapper = new QVBarModelMapper(bars);
  mapper->setFirstBarSetColumn(0);
  mapper->setLastBarSetColumn(0);
  mapper->setModel(table);
  mapper->setSeries(bars);
  chart->addSeries(bars);
  auto* x = x_axes_[static_cast<std::size_t>(m)] = new QBarCategoryAxis;
  auto* y = y_axes_[static_cast<std::size_t>(m)] = new QValueAxis;
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  bars->attachAxis(x);
  bars->attachAxis(y);
  auto* view = new QChartView(chart);
  view->setRenderHint(QPainter::Antialiasing);
  connect(table, &QAbstractItemModel::modelReset, this, [this, m] { redraw(m); });
  return view;
}

void ServeView::redraw(ServeMetric m) {
  const ServeChartModel* table = chart_model(m);
  QBarCategoryAxis* x = x_axes_.at(static_cast<std::size_t>(m));
  QValueAxis* y = y_axes_.at(static_cast<std::size_t>(m));
  x->setCategories(table->row_labels());
  x->setTitleText(QString::fromStdString(model_->spec().key));
  y->setRange(0, table->axis_top());
  y->applyNiceNumbers();
  y->setLabelFormat(table->axis_top() >= 1000 ? "%.0f" : "%.3g");
}

bool ServeView::set_scenario_file(const QString& path) {
  try {
    base_ = api::read_scenario_doc(path.toStdString());
  } catch (const std::exception& e) {
    status_->setText(QString::fromStdString(e.what()));
    return false;
  }
  file_->setText(path);
  return true;
}

void ServeView::set_sweep(const QString& key, const QString& values) {
  key_->setCurrentText(key);
  values_->setText(values);
}

void ServeView::start() {
  api::ServeSweepSpec spec{base_, key_->currentText().trimmed().toStdString(), split_values(values_->text()), 0};
  try {
    api::check_serve_sweep(spec);  // unknown keys and empty lists fail here, before anything runs
  } catch (const std::exception& e) {
    status_->setText(QString::fromStdString(e.what()));
    return;
  }
  model_->start(spec);
  if (!runner_->start_serve_sweep(spec)) return;
  start_->setEnabled(false);
  cancel_->setEnabled(true);
  progress_->setValue(0);
  status_->setText("Serving sweep running...");
}

}  // namespace deepsim::gui

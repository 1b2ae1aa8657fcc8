#include "gui/src/scenario_editor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTextBlock>
#include <QVBoxLayout>
#include <limits>

#include "sim/api/fields.h"

namespace deepsim::gui {
namespace {

constexpr int kYamlDebounceMs = 300;

struct Group {
  const char* title;
  std::vector<std::pair<const char*, const char*>> keys;  // key, label
};

// The keys on the forms; everything else is edited in the YAML tab.
const std::vector<Group>& groups() {
  static const std::vector<Group> g = {
      {"Cluster",
       {{"cluster.gpu", "GPU"}, {"cluster.nodes", "Nodes"}, {"cluster.gpus_per_node", "GPUs per node"},
        {"cluster.nics_per_node", "NICs per node"}, {"cluster.nic", "NIC"}, {"cluster.topology.kind", "Topology"},
        {"cluster.topology.planes", "Planes"}, {"cluster.topology.switch_radix", "Switch radix"},
        {"cluster.gpu_overrides.nvlink_gbps_per_direction", "NVLink GB/s per direction"},
        {"cluster.nic_overrides.line_rate_gbps", "NIC line rate Gb/s"}}},
      {"Model",
       {{"model.preset", "Preset"}, {"model.layers", "Layers"}, {"model.hidden", "Hidden size"},
        {"model.moe.routed_experts", "Routed experts"}, {"model.moe.top_k", "Experts per token"},
        {"model.mtp_depth", "MTP depth"}}},
      {"Parallel plan",
       {{"parallel.pp", "Pipeline (PP)"}, {"parallel.dp", "Data (DP)"}, {"parallel.tp", "Tensor (TP)"},
        {"parallel.ep", "Expert (EP)"}, {"parallel.schedule", "Schedule"}, {"parallel.micro_batches", "Micro-batches"},
        {"parallel.micro_batch_size", "Micro-batch size"}, {"parallel.virtual_stages", "Virtual stages"},
        {"parallel.zero_stage", "ZeRO stage"}, {"parallel.comm_sms", "SMs for communication"}}},
      {"Training phases",
       {{"training.tokens", "Pre-training tokens"}, {"training.seq_len", "Sequence length"},
        {"training.global_batch", "Global batch (sequences)"}, {"training.ramp.start_sequences", "Ramp start batch"},
        {"training.ramp.tokens", "Ramp tokens"}, {"training.precision", "Precision"},
        {"context_extension.stage1.steps", "Context ext. 1 steps"}, {"context_extension.stage2.steps", "Context ext. 2 steps"},
        {"post_training.sft.steps", "SFT steps"}, {"post_training.rl.steps", "RL steps"}}},
      {"Prices",
       {{"pricing.usd_per_gpu_hour", "$ per GPU-hour"}, {"pricing.basis", "Cost basis"}, {"pricing.gpu_usd", "GPU price $"},
        {"pricing.server_usd", "Server price $"}, {"pricing.amortisation_years", "Amortisation years"},
        {"pricing.usd_per_kwh", "$ per kWh"}, {"pricing.pue", "PUE"}}},
      {"Reference (shown beside the prediction)",
       {{"reference.kind", "Kind"}, {"reference.step_time_s", "Step time"}, {"reference.step_time_source", "Source"},
        {"reference.gpu_hours", "Whole run"}, {"reference.gpu_hours_source", "Source"},
        {"reference.cost_usd", "Cost"}, {"reference.cost_source", "Source"}}},
  };
  return g;
}

QString qs(const std::string& s) { return QString::fromStdString(s); }

}  // namespace

ScenarioEditor::ScenarioEditor(QWidget* parent) : QWidget(parent) {
  updating_ = true;  // building the widgets fires their change signals; those are not edits
  auto* layout = new QVBoxLayout(this);
  general_message_ = new QLabel(this);
  general_message_->setObjectName("generalMessage");
  general_message_->setWordWrap(true);
  general_message_->setStyleSheet("color: #c00000;");
  tabs_ = new QTabWidget(this);
  tabs_->addTab(make_forms(), "Forms");
  tabs_->addTab(make_yaml_tab(), "YAML");
  layout->addWidget(general_message_);
  layout->addWidget(tabs_);
  yaml_timer_.setSingleShot(true);
  yaml_timer_.setInterval(kYamlDebounceMs);
  connect(&yaml_timer_, &QTimer::timeout, this, &ScenarioEditor::yaml_edited);
  updating_ = false;
}

QWidget* ScenarioEditor::make_forms() {
  auto* page = new QWidget;
  auto* grid = new QHBoxLayout(page);
  // Two columns of group boxes, so every form is visible without scrolling on a laptop screen.
  QVBoxLayout* columns[2] = {new QVBoxLayout, new QVBoxLayout};
  int i = 0;
  for (const Group& g : groups()) {
    auto* box = new QGroupBox(g.title);
    auto* form = new QFormLayout(box);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    for (const auto& [key, label] : g.keys) add_field(form, key, label);
    columns[i < 2 || i > 4 ? 0 : 1]->addWidget(box);  // cluster, model, reference left; plan, phases, prices right
    ++i;
  }
  for (auto* c : columns) {
    c->addStretch();
    grid->addLayout(c, 1);
  }
  auto* scroll = new QScrollArea;
  scroll->setWidget(page);
  scroll->setWidgetResizable(true);
  return scroll;
}

void ScenarioEditor::add_field(QFormLayout* form, const QString& key, const QString& label) {
  const auto info = api::field_info(key.toStdString());
  if (!info) return;  // a key this schema does not have
  QWidget* editor = nullptr;
  switch (info->type) {
    case api::FieldType::kChoice: {
      auto* box = new QComboBox;
      for (const auto& c : info->choices) box->addItem(qs(c));
      connect(box, &QComboBox::currentTextChanged, this, [this, key](const QString& v) { field_edited(key, v); });
      editor = box;
      break;
    }
    case api::FieldType::kInteger: {
      auto* spin = new QSpinBox;
      // The schema's range, clipped to what a spin box holds; the loader still checks the value.
      constexpr double kIntMax = std::numeric_limits<int>::max();
      spin->setRange(static_cast<int>(std::max(-kIntMax, info->min - 1)), static_cast<int>(std::min(kIntMax, info->max)));
      spin->setKeyboardTracking(true);
      connect(spin, &QSpinBox::textChanged, this, [this, key](const QString& v) { field_edited(key, v); });
      editor = spin;
      break;
    }
    case api::FieldType::kBool: {
      auto* check = new QCheckBox;
      connect(check, &QCheckBox::toggled, this, [this, key](bool on) { field_edited(key, on ? "true" : "false"); });
      editor = check;
      break;
    }
    default: {
      auto* line = new QLineEdit;
      connect(line, &QLineEdit::textEdited, this, [this, key](const QString& v) { field_edited(key, v); });
      editor = line;
      break;
    }
  }
  editor->setObjectName(key);
  editor->setToolTip(qs(info->doc) + (info->unit.empty() ? "" : " [" + qs(info->unit) + "]") + "\n" + qs(info->expected));
  auto* message = new QLabel;
  message->setObjectName(key + ".message");
  message->setStyleSheet("color: #c00000;");
  message->setWordWrap(true);
  message->hide();
  auto* cell = new QWidget;
  auto* v = new QVBoxLayout(cell);
  v->setContentsMargins(0, 0, 0, 0);
  v->setSpacing(1);
  v->addWidget(editor);
  v->addWidget(message);
  form->addRow(label + (info->unit.empty() ? "" : " (" + qs(info->unit) + ")"), cell);
  fields_[key] = {editor, message};
}

QWidget* ScenarioEditor::make_yaml_tab() {
  auto* page = new QWidget;
  auto* v = new QVBoxLayout(page);
  yaml_ = new QPlainTextEdit;
  yaml_->setObjectName("yamlEdit");
  QFont mono("Monospace");
  mono.setStyleHint(QFont::TypeWriter);
  yaml_->setFont(mono);
  yaml_->setLineWrapMode(QPlainTextEdit::NoWrap);
  yaml_message_ = new QLabel;
  yaml_message_->setObjectName("yamlMessage");
  yaml_message_->setWordWrap(true);
  yaml_message_->setStyleSheet("color: #c00000;");
  v->addWidget(yaml_);
  v->addWidget(yaml_message_);
  connect(yaml_, &QPlainTextEdit::textChanged, this, [this] {
    if (!updating_) yaml_timer_.start();
  });
  return page;
}

QWidget* ScenarioEditor::field_widget(const QString& key) const {
  const auto it = fields_.find(key);
  return it == fields_.end() ? nullptr : it->second.editor;
}

QLabel* ScenarioEditor::field_message(const QString& key) const {
  const auto it = fields_.find(key);
  return it == fields_.end() ? nullptr : it->second.message;
}

void ScenarioEditor::set_doc(const api::ScenarioDoc& doc) {
  doc_ = doc;
  updating_ = true;
  yaml_->setPlainText(qs(doc_.yaml));
  updating_ = false;
  revalidate();
  refresh_fields();
  emit docChanged();
}

void ScenarioEditor::field_edited(const QString& key, const QString& value) {
  if (updating_) return;
  api::set_override(doc_, key.toStdString(), value.trimmed().toStdString());
  revalidate();
  emit docChanged();
}

void ScenarioEditor::yaml_edited() {
  doc_.yaml = yaml_->toPlainText().toStdString();
  revalidate();
  refresh_fields();
  emit docChanged();
}

void ScenarioEditor::revalidate() {
  const bool was = valid();
  diagnostic_ = api::validate(doc_);
  show_diagnostic();
  if (was != valid()) emit validityChanged(valid());
}

void ScenarioEditor::refresh_fields() {
  updating_ = true;
  // model.preset is input-only (the loaded Scenario keeps the preset's values, not its name): the box shows
  // what the file (or an override) names, valid or not, and stays empty for a model spelled out in full.
  if (auto* preset = qobject_cast<QComboBox*>(field_widget("model.preset"))) {
    const auto written = api::written_value(doc_, "model.preset");
    preset->setCurrentIndex(written ? preset->findText(qs(*written), Qt::MatchFixedString) : -1);
  }
  updating_ = false;
  if (!valid()) return;  // keep what the user typed; the message says what is wrong
  const Scenario s = api::load(doc_);
  updating_ = true;
  for (auto& [key, row] : fields_) {
    const auto value = api::field_value(s, key.toStdString());
    if (!value) continue;  // input-only keys (model.preset) keep their widget's text
    const QString v = qs(*value);
    if (auto* box = qobject_cast<QComboBox*>(row.editor)) {
      const int at = box->findText(v, Qt::MatchFixedString);
      box->setCurrentIndex(at);
    } else if (auto* spin = qobject_cast<QSpinBox*>(row.editor)) {
      spin->setValue(v.toInt());
    } else if (auto* check = qobject_cast<QCheckBox*>(row.editor)) {
      check->setChecked(v == "true");
    } else if (auto* line = qobject_cast<QLineEdit*>(row.editor)) {
      line->setText(v);
    }
  }
  updating_ = false;
}

void ScenarioEditor::show_diagnostic() {
  for (auto& [key, row] : fields_) {
    row.message->hide();
    row.message->clear();
  }
  general_message_->clear();
  general_message_->setVisible(false);
  yaml_message_->clear();
  QList<QTextEdit::ExtraSelection> marks;
  if (diagnostic_) {
    const api::Diagnostic& d = *diagnostic_;
    const QString text = qs(d.message) + (d.hint.empty() ? "" : " (hint: " + qs(d.hint) + ")");
    // Beside the field the error names, or the nearest field under the key's section.
    QLabel* beside = field_message(qs(d.key));
    if (!beside)
      for (auto& [key, row] : fields_)
        if (!d.key.empty() && key.startsWith(qs(d.key) + ".")) {
          beside = row.message;
          break;
        }
    if (beside) {
      beside->setText(text);
      beside->show();
    }
    general_message_->setText(qs(d.text));
    general_message_->setVisible(true);
    yaml_message_->setText(qs(d.text));
    if (!d.from_override() && d.line > 0) {
      QTextEdit::ExtraSelection mark;
      mark.cursor = QTextCursor(yaml_->document()->findBlockByNumber(d.line - 1));
      mark.cursor.select(QTextCursor::LineUnderCursor);
      mark.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
      mark.format.setUnderlineColor(Qt::red);
      mark.format.setToolTip(text);
      marks.push_back(mark);
    }
  }
  yaml_->setExtraSelections(marks);
}

}  // namespace deepsim::gui

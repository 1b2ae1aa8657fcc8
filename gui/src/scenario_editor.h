// The scenario editor: forms for the keys a planner changes (cluster, model, parallel plan, phases,
// prices) and the raw YAML. Every form edit becomes a `key=value` override on the doc (sim/api), which
// is validated at once; the loader's message appears beside the field whose key it names, and the YAML
// tab underlines the line a text error points at. Views only: values, limits and choices come from the
// schema through sim/api/fields.h.
#pragma once

#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTabWidget>
#include <QTimer>
#include <QWidget>
#include <map>
#include <optional>

#include "sim/api/scenario_doc.h"

namespace deepsim::gui {

class ScenarioEditor : public QWidget {
  Q_OBJECT
 public:
  explicit ScenarioEditor(QWidget* parent = nullptr);

  void set_doc(const api::ScenarioDoc& doc);
  [[nodiscard]] const api::ScenarioDoc& doc() const { return doc_; }
  [[nodiscard]] const std::optional<api::Diagnostic>& diagnostic() const { return diagnostic_; }
  [[nodiscard]] bool valid() const { return !diagnostic_.has_value(); }
  // The widget editing `key` (for tests and the screenshot script), or nullptr.
  [[nodiscard]] QWidget* field_widget(const QString& key) const;
  [[nodiscard]] QLabel* field_message(const QString& key) const;
  [[nodiscard]] QPlainTextEdit* yaml_edit() const { return yaml_; }

 signals:
  void validityChanged(bool valid);
  void docChanged();

 private:
  struct FieldRow {
    QWidget* editor = nullptr;
    QLabel* message = nullptr;
  };
  QWidget* make_forms();
  QWidget* make_yaml_tab();
  void add_field(QFormLayout* form, const QString& key, const QString& label);
  void field_edited(const QString& key, const QString& value);
  void yaml_edited();
  void revalidate();
  void refresh_fields();
  void show_diagnostic();

  api::ScenarioDoc doc_;
  std::optional<api::Diagnostic> diagnostic_;
  std::map<QString, FieldRow> fields_;
  QTabWidget* tabs_ = nullptr;
  QPlainTextEdit* yaml_ = nullptr;
  QLabel* yaml_message_ = nullptr;
  QLabel* general_message_ = nullptr;
  QTimer yaml_timer_;
  bool updating_ = false;  // set while the editor writes its own widgets
};

}  // namespace deepsim::gui

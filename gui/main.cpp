// deepsim-gui: what-if cluster planning over the sim library (views in gui/src, models in gui/models).
//   deepsim-gui [scenario.yaml]                    opens the scenario (default: scenarios/default.yaml)
//   deepsim-gui SCENARIO --screenshots DIR [...]   runs it and saves a PNG of each view (docs/gui/);
//     --serving FILE --serve-sweep KEY=V1,V2 adds the serving what-if
#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>

#include "gui/src/main_window.h"
#include "gui/src/screenshots.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("deepsim-gui");
  QApplication::setOrganizationName("deepsim");
  QCommandLineParser args;
  args.setApplicationDescription("deepsim planner: what-if cluster planning, predicted against measured");
  args.addHelpOption();
  args.addPositionalArgument("scenario", "scenario YAML to open");
  const QCommandLineOption shots("screenshots", "run the scenario and save a PNG of each view in DIR", "DIR");
  const QCommandLineOption prefix("prefix", "file name prefix of the PNGs", "NAME", "default");
  const QCommandLineOption sweep1("sweep", "what-if parameter for the screenshots: KEY=V1,V2,...", "SPEC");
  const QCommandLineOption sweep2("sweep2", "second what-if parameter: KEY=V1,V2,...", "SPEC");
  const QCommandLineOption measured("measured", "measured-run / Kineto / compare.json file to load", "FILE");
  const QCommandLineOption serving("serving", "serving scenario for the serving what-if screenshot", "FILE");
  const QCommandLineOption serve_sweep("serve-sweep", "serving what-if parameter: KEY=V1,V2,...", "SPEC");
  args.addOptions({shots, prefix, sweep1, sweep2, measured, serving, serve_sweep});
  args.process(app);

  deepsim::gui::MainWindow window;
  QString scenario = args.positionalArguments().value(0);
  if (scenario.isEmpty()) {
    const QString shipped = QStringLiteral(DEEPSIM_SOURCE_DIR "/scenarios/default.yaml");
    if (QFileInfo::exists(shipped)) scenario = shipped;
  }
  if (!scenario.isEmpty() && !window.open_file(scenario) && args.isSet(shots)) return 2;
  window.show();
  if (args.isSet(shots)) {
    deepsim::gui::ScreenshotPlan plan;
    plan.dir = args.value(shots);
    plan.prefix = args.value(prefix);
    auto split = [](const QString& spec, QString& key, QString& values) {
      key = spec.section('=', 0, 0);
      values = spec.section('=', 1);
    };
    if (args.isSet(sweep1)) split(args.value(sweep1), plan.sweep_key1, plan.sweep_values1);
    if (args.isSet(sweep2)) split(args.value(sweep2), plan.sweep_key2, plan.sweep_values2);
    plan.measured = args.values(measured);
    plan.serving = args.value(serving);
    if (args.isSet(serve_sweep)) split(args.value(serve_sweep), plan.serve_key, plan.serve_values);
    deepsim::gui::take_screenshots(window, plan);
  }
  return QApplication::exec();
}

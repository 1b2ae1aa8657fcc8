// One QCoreApplication for the whole test program: the runner's queued signals need an event loop.
#pragma once

#include <QCoreApplication>

namespace deepsim::gui::testing {

inline QCoreApplication& app() {
  static int argc = 1;
  static char name[] = "gui_tests";
  static char* argv[] = {name, nullptr};
  static QCoreApplication instance(argc, argv);
  return instance;
}

}  // namespace deepsim::gui::testing

// deepsim-gui: what-if cluster planning over the sim library (views only; models in gui/models).
#include <QApplication>
#include <QHeaderView>
#include <QMainWindow>
#include <QTableView>

#include "gui/models/gpu_catalog_model.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName("deepsim-gui");
  QMainWindow window;
  auto* view = new QTableView(&window);  // owned by the window (Qt parent ownership)
  auto* model = new deepsim::gui::GpuCatalogModel(view);
  view->setModel(model);
  view->horizontalHeader()->setStretchLastSection(true);
  window.setCentralWidget(view);
  window.setWindowTitle("deepsim: hardware catalog");
  window.resize(800, 300);
  window.show();
  return QApplication::exec();
}

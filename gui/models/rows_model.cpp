#include "gui/models/rows_model.h"

namespace deepsim::gui {

QVariant NumericProxy::data(const QModelIndex& index, int role) const {
  return QIdentityProxyModel::data(index, role == Qt::DisplayRole ? kValueRole : role);
}

}  // namespace deepsim::gui

#include "sim/hw/cluster_spec.h"

namespace deepsim {

const char* to_string(TopologyKind k) {
  switch (k) {
    case TopologyKind::kMultiPlaneFatTree: return "mpft";
    case TopologyKind::kMultiRailFatTree: return "mrft";
    case TopologyKind::kFatTree2: return "ft2";
    case TopologyKind::kFatTree3: return "ft3";
  }
  return "?";
}

}  // namespace deepsim

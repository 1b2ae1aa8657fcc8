#include "sim/net/link.h"

namespace deepsim {

const char* to_string(LinkClass c) {
  switch (c) {
    case LinkClass::kNvlink: return "nvlink";
    case LinkClass::kPcie: return "pcie";
    case LinkClass::kNicLeaf: return "nic-leaf";
    case LinkClass::kLeafSpine: return "leaf-spine";
    case LinkClass::kSpineCore: return "spine-core";
  }
  return "?";
}

}  // namespace deepsim

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

LinkUseTimeline link_class_timeline(const LinkTable& links) {
  std::vector<std::uint32_t> channel;
  channel.reserve(links.size());
  for (const Link& l : links.all()) channel.push_back(static_cast<std::uint32_t>(l.cls));
  return LinkUseTimeline(std::move(channel), kLinkClassCount);
}

}  // namespace deepsim

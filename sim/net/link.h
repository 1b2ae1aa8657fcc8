// Link: one direction of a physical connection, the unit the flow solver shares among flows.
// Capacities here are *achievable* bandwidths (nominal x the catalog's achievable fraction); the
// nominal figure is kept for reports.
#pragma once

#include <string>
#include <vector>

#include "sim/core/ids.h"
#include "sim/core/units.h"
#include "sim/engine/link_use_timeline.h"

namespace deepsim {

enum class LinkClass {
  kNvlink,     // GPU -> NVSwitch or NVSwitch -> GPU (one direction of a GPU's NVLink bundle)
  kPcie,       // GPU <-> NIC
  kNicLeaf,    // NIC <-> leaf switch
  kLeafSpine,  // leaf <-> spine (two-layer) or leaf <-> aggregation (three-layer)
  kSpineCore,  // aggregation <-> core (three-layer only)
};
inline constexpr int kLinkClassCount = 5;
[[nodiscard]] const char* to_string(LinkClass c);

struct Link {
  LinkClass cls = LinkClass::kNvlink;
  Bandwidth capacity;        // achievable, per direction
  Bandwidth nominal;         // as sold, per direction
  Time latency;              // per-hop latency charged to a flow crossing this link
  int plane = -1;            // scale-out plane (MPFT), -1 inside a node
};

// All links of a fabric, indexed by LinkId.
class LinkTable {
 public:
  LinkId add(const Link& l) {
    links_.push_back(l);
    return LinkId(static_cast<LinkId::rep>(links_.size() - 1));
  }
  [[nodiscard]] const Link& operator[](LinkId id) const { return links_[id.value()]; }
  [[nodiscard]] Link& operator[](LinkId id) { return links_[id.value()]; }
  [[nodiscard]] std::size_t size() const { return links_.size(); }
  [[nodiscard]] const std::vector<Link>& all() const { return links_; }

 private:
  std::vector<Link> links_;
};

// A link-use timeline (the engine's RunOptions::link_use) with one channel per link class of `links`,
// channel = static_cast<int>(LinkClass): what a trace's utilisation counters need.
[[nodiscard]] LinkUseTimeline link_class_timeline(const LinkTable& links);

}  // namespace deepsim

#include "sim/model/stage_assignment.h"

#include <string>

#include "sim/core/error.h"

namespace deepsim {
namespace {

// Extra-layer order: interior stages 1 .. pp-2, then stage 0, then the last stage.
std::vector<int> extra_order(int pp) {
  std::vector<int> order;
  for (int s = 1; s + 1 < pp; ++s) order.push_back(s);
  order.push_back(0);
  if (pp > 1) order.push_back(pp - 1);
  return order;
}

void append_prefixed(std::vector<Op>& to, std::vector<Op> from, const std::string& prefix) {
  for (Op& op : from) {
    op.name.insert(0, prefix);
    to.push_back(std::move(op));
  }
}

// Built by appending: GCC 12 raises a false -Wrestrict on chained std::string operator+.
std::string tag(const char* what, int index) {
  std::string s(what);
  s += std::to_string(index);
  s += '/';
  return s;
}

}  // namespace

std::vector<StageLayers> assign_layers(const ModelSpec& m, int pp) {
  DEEPSIM_ASSERT(pp >= 1 && pp <= m.layers, "assign_layers: pp must be in [1, layers]");
  std::vector<int> count(static_cast<std::size_t>(pp), m.layers / pp);
  const std::vector<int> order = extra_order(pp);
  for (int i = 0; i < m.layers % pp; ++i) ++count[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])];
  std::vector<StageLayers> stages;
  int next = 0;
  for (int s = 0; s < pp; ++s) {
    const int n = count[static_cast<std::size_t>(s)];
    stages.push_back({.stage = s, .first_layer = next, .num_layers = n, .has_embedding = s == 0,
                      .has_head = s == pp - 1, .has_mtp = s == pp - 1 && m.mtp_depth > 0});
    next += n;
  }
  return stages;
}

std::vector<Op> stage_ops(const ModelSpec& m, const StageLayers& s, const OpContext& c) {
  std::vector<Op> ops;
  if (s.has_embedding) append_prefixed(ops, embedding_ops(m, c), "");
  for (int l = s.first_layer; l < s.end_layer(); ++l)
    append_prefixed(ops, layer_ops(m, l, c), tag("L", l));
  if (s.has_head) append_prefixed(ops, head_ops(m, c), "");
  if (s.has_mtp)
    for (int k = 0; k < m.mtp_depth; ++k) append_prefixed(ops, mtp_ops(m, c), tag("MTP", k));
  return ops;
}

}  // namespace deepsim

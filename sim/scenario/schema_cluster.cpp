// Schema rows for the `cluster:` section: GPU and NIC from the catalog (with per-field overrides), node
// counts and the scale-out topology.
#include "sim/hw/catalog.h"
#include "sim/scenario/schema_builders.h"

namespace deepsim {
namespace {

using namespace schema_detail;

// The unit conversions at the YAML edge.
double tflops_of(FlopRate r) { return r.tflops(); }
FlopRate tflops(double v) { return FlopRate::tflops(v); }
double gb_of(Bytes b) { return b.gb(); }
Bytes gb(double v) { return Bytes(v * 1e9); }
double gbps_of(Bandwidth b) { return b.gb_per_s(); }
Bandwidth gbps(double v) { return Bandwidth::gb_per_s(v); }
double gbitps_of(Bandwidth b) { return b.bytes_per_s() * 8.0 / 1e9; }
Bandwidth gbitps(double v) { return Bandwidth::gbit_per_s(v); }
double us_of(Time t) { return t.us_value(); }
Time us(double v) { return Time::from_seconds(v * 1e-6); }

std::vector<std::string> gpu_names() {
  std::vector<std::string> v;
  for (const auto& g : gpu_catalog()) v.push_back(g.name);
  return v;
}
std::vector<std::string> nic_names() {
  std::vector<std::string> v;
  for (const auto& n : nic_catalog()) v.push_back(n.name);
  return v;
}
std::vector<std::string> topology_names() { return {"mpft", "mrft", "ft2", "ft3"}; }

Field gpu_field() {
  Field f = make_field("cluster.gpu", FieldKind::kChoice, 0, 0,
                       {"", "GPU model from the catalog (docs/scenario.md, Hardware catalog: figures and sources)", Need::kRequired});
  f.choices = gpu_names;
  f.set = [](Scenario& s, const FieldValue& v) { s.cluster.gpu = find_gpu(std::get<std::string>(v)).value(); };
  f.get = [](const Scenario& s) -> std::optional<FieldValue> { return s.cluster.gpu.name; };
  return f;
}

Field nic_field() {
  Field f = make_field("cluster.nic", FieldKind::kChoice, 0, 0, {"", "scale-out NIC model from the catalog"});
  f.fallback = "cx7-ib-400g";
  f.choices = nic_names;
  f.set = [](Scenario& s, const FieldValue& v) { s.cluster.nic = find_nic(std::get<std::string>(v)).value(); };
  f.get = [](const Scenario& s) -> std::optional<FieldValue> { return s.cluster.nic.name; };
  return f;
}

void add_gpu_overrides(std::vector<Field>& out) {
  using G = GpuSpec;
  constexpr auto C = &Scenario::cluster;
  constexpr auto Gp = &ClusterSpec::gpu;
  auto d = [](std::string_view unit, std::string_view doc) { return Doc{unit, doc, Need::kOptional, "catalog"}; };
  out.push_back(int_field<C, Gp, &G::sms>("cluster.gpu_overrides.sms", 1, 1024, d("SMs", "streaming multiprocessors")));
  out.push_back(quantity_field<tflops_of, tflops, C, Gp, &G::bf16_dense>(
      "cluster.gpu_overrides.bf16_dense_tflops", 1e-3, 1e6, d("TFLOP/s", "dense BF16 tensor-core peak")));
  out.push_back(quantity_field<tflops_of, tflops, C, Gp, &G::fp8_dense>(
      "cluster.gpu_overrides.fp8_dense_tflops", 0, 1e6,
      d("TFLOP/s", "dense FP8 tensor-core peak; 0: no FP8 tensor cores (Ampere, as the catalog writes it)")));
  out.push_back(quantity_field<gb_of, gb, C, Gp, &G::hbm>("cluster.gpu_overrides.hbm_gb", 1e-3, 1e5,
                                                          d("GB (1e9 B)", "HBM capacity")));
  out.push_back(quantity_field<gbps_of, gbps, C, Gp, &G::hbm_bandwidth>("cluster.gpu_overrides.hbm_bandwidth_gbps",
                                                                        1e-3, 1e6, d("GB/s", "HBM peak bandwidth")));
  out.push_back(quantity_field<gbps_of, gbps, C, Gp, &G::nvlink_per_direction>(
      "cluster.gpu_overrides.nvlink_gbps_per_direction", 1e-3, 1e5,
      d("GB/s", "nominal NVLink bandwidth per direction (H800: 200)")));
  out.push_back(real_field<C, Gp, &G::nvlink_achievable>(
      "cluster.gpu_overrides.nvlink_achievable", FieldKind::kReal, 1e-3, 1,
      d("fraction", "share of nominal NVLink a long transfer reaches (H800: 160/200)")));
  out.push_back(quantity_field<gbps_of, gbps, C, Gp, &G::pcie_per_direction>(
      "cluster.gpu_overrides.pcie_gbps_per_direction", 1e-3, 1e5, d("GB/s", "GPU-NIC PCIe bandwidth per direction")));
  out.push_back(real_field<C, Gp, &G::pcie_achievable>("cluster.gpu_overrides.pcie_achievable", FieldKind::kReal, 1e-3,
                                                       1, d("fraction", "share of nominal PCIe reached")));
  out.push_back(
      real_field<C, Gp, &G::tdp_w>("cluster.gpu_overrides.tdp_w", FieldKind::kReal, 1, 1e5, d("W", "board power")));
}

void add_nic_overrides(std::vector<Field>& out) {
  constexpr auto C = &Scenario::cluster;
  constexpr auto N = &ClusterSpec::nic;
  auto d = [](std::string_view unit, std::string_view doc) { return Doc{unit, doc, Need::kOptional, "catalog"}; };
  out.push_back(quantity_field<gbitps_of, gbitps, C, N, &NicSpec::line_rate>(
      "cluster.nic_overrides.line_rate_gbps", 1e-3, 1e5, d("Gb/s (bits)", "line rate per direction")));
  out.push_back(real_field<C, N, &NicSpec::achievable>(
      "cluster.nic_overrides.achievable", FieldKind::kReal, 1e-3, 1,
      d("fraction", "share of the line rate a long transfer reaches (ISCA'25: 40 of 50 GB/s)")));
  out.push_back(quantity_field<us_of, us, C, N, &NicSpec::latency_same_leaf>(
      "cluster.nic_overrides.latency_same_leaf_us", 0, 1e6, d("us", "end-to-end latency, two NICs under one leaf")));
  out.push_back(quantity_field<us_of, us, C, N, &NicSpec::latency_cross_leaf>(
      "cluster.nic_overrides.latency_cross_leaf_us", 0, 1e6, d("us", "end-to-end latency through a spine")));
}

}  // namespace

void add_cluster_fields(std::vector<Field>& out) {
  out.push_back(gpu_field());
  add_gpu_overrides(out);
  out.push_back(int_field<&Scenario::cluster, &ClusterSpec::nodes>("cluster.nodes", 1, 1 << 20,
                                                                   {"", "nodes (servers)", Need::kRequired}));
  out.push_back(int_field<&Scenario::cluster, &ClusterSpec::gpus_per_node>(
      "cluster.gpus_per_node", 1, 1024, {"", "GPUs per node, all on one NVLink domain"}));
  out.push_back(int_field<&Scenario::cluster, &ClusterSpec::nics_per_node>("cluster.nics_per_node", 1, 1024,
                                                                           {"", "scale-out NICs per node"}));
  out.push_back(nic_field());
  add_nic_overrides(out);
  constexpr auto C = &Scenario::cluster;
  constexpr auto Tp = &ClusterSpec::topology;
  out.push_back(
      enum_field<topology_names, static_cast<const char* (*)(TopologyKind)>(to_string), C, Tp, &TopologySpec::kind>(
          "cluster.topology.kind", {"", "mpft (multi-plane fat-tree), mrft (multi-rail), ft2 / ft3 (2- / 3-layer)"}));
  out.push_back(int_field<C, Tp, &TopologySpec::switch_radix>("cluster.topology.switch_radix", 4, 1024,
                                                              {"ports", "ports per switch"}));
  out.push_back(
      real_field<C, Tp, &TopologySpec::oversubscription>("cluster.topology.oversubscription", FieldKind::kReal, 1, 64,
                                                         {"ratio", "leaf down-ports : up-ports; 1 is non-blocking"}));
  out.push_back(int_field<C, Tp, &TopologySpec::planes>("cluster.topology.planes", 1, 64,
                                                        {"", "independent planes (mpft: one per NIC of a node)"}));
}

}  // namespace deepsim

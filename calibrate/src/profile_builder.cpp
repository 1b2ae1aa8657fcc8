#include "calibrate/src/profile_builder.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "sim/core/error.h"
#include "sim/core/format.h"
#include "sim/hw/catalog.h"

namespace deepsim::calib {
namespace {

FamilyModel from_rates(OpFamily f, const std::vector<RateFigure>& rates, std::vector<std::string>& notes) {
  FamilyModel m;
  m.family = f;
  m.form = ProfileForm::kMax;
  std::string basis;
  for (const RateFigure& r : rates) {
    if (r.bound == RateBound::kCompute) m.coef[1] = 1.0 / (r.value * 1e12);
    else m.coef[5] = 1.0 / (r.value * 1e9);
    basis += (basis.empty() ? "" : "; ") + std::string(r.bound == RateBound::kCompute ? "compute " : "memory ") +
             fixed(r.value, 0) + (r.bound == RateBound::kCompute ? " TFLOPS (" : " GB/s (") + r.origin + ")";
  }
  m.basis = "quoted ceilings, no shape sweep: " + basis;
  notes.push_back(std::string(to_string(f)) + ": roofline from quoted ceilings (" + std::to_string(rates.size()) +
                  " figures); no launch term, no fit error (no shaped data)");
  return m;
}

// The distinct files the samples came from ("file:line" and "file:/json/pointer" origins).
std::string origin_files(const std::vector<KernelSample>& samples) {
  std::vector<std::string> files;
  for (const KernelSample& s : samples) {
    const auto colon = s.origin.rfind(':');
    std::string f = colon == std::string::npos ? s.origin : s.origin.substr(0, colon);
    if (std::find(files.begin(), files.end(), f) == files.end()) files.push_back(std::move(f));
  }
  std::string out;
  for (const std::string& f : files) out += (out.empty() ? "" : ", ") + f;
  return out;
}

}  // namespace

BuildResult build_profile(const BenchmarkSet& data, const BuildOptions& options) {
  BuildResult out;
  KernelProfile& p = out.profile;
  p.name = options.name;
  p.device = data.device.catalog;
  p.sms = data.device.sms;
  p.date = data.date;
  for (const std::string& s : data.sources) p.source += (p.source.empty() ? "" : "; ") + s;
  p.generated_by = options.generated_by;
  DEEPSIM_ASSERT(p.sms > 0, "benchmark data names its SM count");
  const std::optional<GpuSpec> gpu = device_gpu_spec(data.device);  // the device that ran, its own SMs and HBM

  std::map<int, std::vector<KernelSample>> by_family;
  for (const KernelSample& s : data.samples) by_family[static_cast<int>(s.op.family)].push_back(s);
  std::map<int, std::vector<RateFigure>> rates;
  for (const RateFigure& r : data.rates) rates[static_cast<int>(r.family)].push_back(r);

  for (int i = 0; i < kOpFamilyCount; ++i) {
    const auto f = static_cast<OpFamily>(i);
    const auto s = by_family.find(i);
    const auto r = rates.find(i);
    if (s != by_family.end() && s->second.size() >= 2) {
      FitOptions fit = options.fit;
      if (gpu && options.floor_at_peak) {
        const bool fp8 = is_fp8_family(f);
        fit.peak_flops_per_s = (fp8 ? gpu->fp8_dense : gpu->bf16_dense).per_s();
      }
      FamilyModel m = fit_family(f, s->second, p.sms, fit);
      m.basis = std::to_string(s->second.size()) + " timed kernels (" + origin_files(s->second) + ")";
      p.families.push_back(std::move(m));
      out.notes.push_back(std::string(to_string(f)) + ": fitted to " + std::to_string(s->second.size()) + " kernels" +
                          (r != rates.end() ? "; quoted ceilings not used" : ""));
    } else if (r != rates.end()) {
      if (is_gemm_family(f))
        throw InputError({r->second.front().origin, 0, 0}, "bound",
                         "a GEMM family needs a table of shapes, not only ceilings");
      p.families.push_back(from_rates(f, r->second, out.notes));
    } else if (s != by_family.end()) {
      out.notes.push_back(std::string(to_string(f)) + ": only one kernel (" + s->second.front().origin +
                          "), not enough to fit; left to the roofline default");
    }
  }
  p.communication = data.comm;
  if (!p.communication.empty())
    out.notes.push_back("communication: " + std::to_string(p.communication.size()) + " quoted figures carried over");
  return out;
}

std::string fit_report(const KernelProfile& p) {
  std::ostringstream o;
  o << "profile " << p.name << " (" << p.device << ", " << p.sms << " SMs, " << p.date << ")\n";
  for (const FamilyModel& m : p.families) {
    o << "\n" << to_string(m.family) << ": form " << to_string(m.form) << ", tile " << m.tile.m << "x" << m.tile.n
      << ", compute " << (m.coef[1] > 0 ? fixed(1e-12 / m.coef[1], 0) + " TFLOPS" : "-") << ", launch "
      << fixed(m.coef[0] * 1e6, 2) << " us\n";
    if (m.quality) {
      const FitQuality& q = *m.quality;
      o << "  points " << q.points << "  MAPE " << fixed(100 * q.mape, 2) << "%  RMS " << fixed(100 * q.rms_rel, 2)
        << "%  max " << fixed(100 * q.max_rel, 2) << "%  LOO MAPE " << fixed(100 * q.loo_mape, 2) << "%  LOO RMS "
        << fixed(100 * q.loo_rms_rel, 2) << "%\n";
    }
    if (!m.residuals.empty()) o << "       G      M      N      K   meas us   pred us    err %\n";
    for (const ProfileResidual& r : m.residuals) {
      char line[128];
      std::snprintf(line, sizeof line, "  %6lld %6lld %6lld %6lld %9.2f %9.2f %+8.2f\n", static_cast<long long>(r.groups),
                    static_cast<long long>(r.m), static_cast<long long>(r.n), static_cast<long long>(r.k),
                    r.measured_us, r.predicted_us, 100 * r.rel_error());
      o << line;
    }
  }
  for (const CommFigure& c : p.communication)
    o << "\ncommunication " << c.kind << " EP" << c.ep << ": dispatch " << fixed(c.dispatch.gb_per_s(), 0)
      << " GB/s, combine " << fixed(c.combine.gb_per_s(), 0) << " GB/s";
  if (!p.communication.empty()) o << "\n";
  return o.str();
}

}  // namespace deepsim::calib

// The Megatron-LM / Selene cases of Korthikanti et al. 2022 (../shared/reference/dense-validation.md),
// shipped as scenarios/validation/megatron-selene/<model>-<full|seqsel>.yaml: each is simulated, its step
// time and its first stage's parameter+optimizer and activation memory compared with the published
// figures, the errors held to the documented bounds, and docs/validation.md required to show exactly the
// table computed here (set DEEPSIM_WRITE_VALIDATION=1 to print the table to paste).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/scenario/loader.h"
#include "sim/step/simulate.h"
#include "sim/step/static_analysis.h"

namespace deepsim {
namespace {

// Published: Table 5 (seconds per iteration) and Figure 1 (GiB per GPU). Figure 1 gives activations
// without recompute and with sequence parallelism + selective recompute; the full-recompute activation
// is Figure 1's no-recompute figure x Figure 7's full-recompute share (22B 7.64%, 175B 8.71%, 530B and 1T
// 9.42%), a derived figure.
struct Case {
  const char* model;
  const char* mode;  // "full" or "seqsel"
  double step_s;
  double par_opt_gib;
  double act_gib;
};
constexpr double kAct22 = 59.25, kAct175 = 66.84, kAct530 = 114.02, kAct1t = 131.25;
const Case kCases[] = {
    {"22b", "full", 1.42, 45.56, kAct22 * 0.0764},    {"22b", "seqsel", 1.10, 45.56, 9.56},
    {"175b", "full", 18.13, 45.56, kAct175 * 0.0871}, {"175b", "seqsel", 13.75, 45.56, 12.35},
    {"530b", "full", 49.05, 31.64, kAct530 * 0.0942}, {"530b", "seqsel", 37.83, 31.64, 23.08},
    {"1t", "full", 94.42, 32.96, kAct1t * 0.0942},    {"1t", "seqsel", 71.49, 32.96, 26.56},
};

// What deepsim achieves on these cases (docs/validation.md): the bounds are the model's errors rounded
// up, not targets; a model change that moves them updates them and says why in its commit.
// TP communication is charged (the step bounds were 22% / 29% without it: every step too fast by 14-29%,
// mean 21.29%); the seqsel cases set sequence parallelism (their activation bound was 220% without it).
// With the SP backward's re-gather (seqsel cases): mean 13.60% -> 12.49%, max 17.89% -> 15.25% (530B seqsel).
constexpr double kStepMeanBound = 0.13;      // achieved 12.49%, with TP communication (was 21.29% without)
constexpr double kStepMaxBound = 0.16;       // achieved 15.25% (530B seqsel), with TP communication (was 28.54%)
constexpr double kParOptMaxBound = 0.12;     // achieved 11.0% (1T)
constexpr double kActFullMaxBound = 0.27;    // achieved 26.4% (1T full; the measured figure is derived)
constexpr double kActSeqselMaxBound = 0.03;  // achieved 2.2% (22B seqsel), with sequence parallelism (was 217.7%)

struct Outcome {
  Case c;
  double step_s = 0, par_opt_gib = 0, act_gib = 0;
};

double err(double sim, double meas) { return sim / meas - 1.0; }

std::string pct(double e) {
  char b[32];
  std::snprintf(b, sizeof b, "%+.1f%%", 100.0 * e);
  return b;
}

std::string fixed2(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

const std::vector<Outcome>& outcomes() {
  static const std::vector<Outcome> all = [] {
    std::vector<Outcome> out;
    for (const Case& c : kCases) {
      const std::string path = std::string(DEEPSIM_SOURCE_DIR) + "/scenarios/validation/megatron-selene/" + c.model +
                               "-" + c.mode + ".yaml";
      const Scenario s = load_scenario_file(path);
      const StepResult r = simulate_step(s);
      const StaticAnalysis a = analyze(s);
      const StageMemory& first = a.memory.stages.front();
      constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
      out.push_back({c, r.step.seconds(), first.states().value() / kGiB, first.activations.value() / kGiB});
    }
    return out;
  }();
  return all;
}

std::string table() {
  std::ostringstream o;
  o << "| model | case | step measured s | deepsim s | error | par+opt measured GiB | deepsim GiB | error | "
       "activations measured GiB | deepsim GiB | error |\n|---|---|---|---|---|---|---|---|---|---|---|\n";
  double sum = 0, worst = 0;
  for (const Outcome& x : outcomes()) {
    const double e = err(x.step_s, x.c.step_s);
    sum += std::fabs(e);
    worst = std::max(worst, std::fabs(e));
    o << "| " << x.c.model << " | " << x.c.mode << " | " << fixed2(x.c.step_s) << " | " << fixed2(x.step_s) << " | "
      << pct(e) << " | " << fixed2(x.c.par_opt_gib) << " | " << fixed2(x.par_opt_gib) << " | "
      << pct(err(x.par_opt_gib, x.c.par_opt_gib)) << " | " << fixed2(x.c.act_gib) << " | " << fixed2(x.act_gib) << " | "
      << pct(err(x.act_gib, x.c.act_gib)) << " |\n";
  }
  char b[160];
  std::snprintf(b, sizeof b, "| **step time, all 8 cases** | | | | mean abs. error %.2f%%, max %.2f%% | | | | | | |\n",
                100.0 * sum / static_cast<double>(outcomes().size()), 100.0 * worst);
  o << b << "| Calculon (SC'23), same cases | | | | mean 3.65%, max 8.87% | | | | | | |\n";
  return o.str();
}

TEST(MegatronSelene, StepTimeWithinTheDocumentedBound) {
  double sum = 0, worst = 0;
  for (const Outcome& x : outcomes()) {
    const double e = std::fabs(err(x.step_s, x.c.step_s));
    sum += e;
    worst = std::max(worst, e);
    EXPECT_LE(e, kStepMaxBound) << x.c.model << "-" << x.c.mode << ": " << x.step_s << " s vs " << x.c.step_s;
  }
  EXPECT_LE(sum / static_cast<double>(outcomes().size()), kStepMeanBound);
}

TEST(MegatronSelene, MemoryWithinTheDocumentedBound) {
  for (const Outcome& x : outcomes()) {
    EXPECT_LE(std::fabs(err(x.par_opt_gib, x.c.par_opt_gib)), kParOptMaxBound) << x.c.model << "-" << x.c.mode;
    const double act_bound = std::string(x.c.mode) == "full" ? kActFullMaxBound : kActSeqselMaxBound;
    EXPECT_LE(std::fabs(err(x.act_gib, x.c.act_gib)), act_bound) << x.c.model << "-" << x.c.mode;
  }
}

TEST(MegatronSelene, ValidationDocShowsThisTable) {
  const std::string t = table();
  if (std::getenv("DEEPSIM_WRITE_VALIDATION") != nullptr) std::cout << t;
  std::ifstream in(std::string(DEEPSIM_SOURCE_DIR) + "/docs/validation.md");
  std::ostringstream doc;
  doc << in.rdbuf();
  const std::string begin = "<!-- megatron-selene -->\n";
  const auto at = doc.str().find(begin);
  ASSERT_NE(at, std::string::npos) << "docs/validation.md lacks the Megatron/Selene table";
  EXPECT_EQ(doc.str().substr(at + begin.size(), t.size()), t) << "expected:\n" << t;
}

}  // namespace
}  // namespace deepsim

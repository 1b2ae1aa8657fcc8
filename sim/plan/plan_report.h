// The outputs of `deepsim plan`: the text summary, plans.csv (every distinct plan with its status),
// plans.json and plans.html (rankings, Pareto front with a cost-versus-time chart, why the best wins).
// All bytes depend only on the search (no clocks, no thread or rank counts).
#pragma once

#include <filesystem>
#include <ostream>
#include <string>

#include "sim/plan/plan_search.h"

namespace deepsim {

void print_plan_summary(std::ostream& out, const PlanSearch& r, std::size_t top);
[[nodiscard]] std::string plans_csv(const PlanSearch& r);
[[nodiscard]] std::string plans_json(const PlanSearch& r);
[[nodiscard]] std::string plans_html(const PlanSearch& r, std::size_t top);
// plans.csv, plans.json and plans.html in `dir` (created). Throws std::runtime_error when it cannot write.
void write_plan_reports(const std::filesystem::path& dir, const PlanSearch& r, std::size_t top);

}  // namespace deepsim

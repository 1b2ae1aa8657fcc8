#include "gui/models/display.h"

#include <cmath>

#include "sim/core/format.h"

namespace deepsim::gui {
namespace {

// 1234567 -> "1.23 M", 5300 -> "5.30 K", 12.5 -> "12.5": three significant digits with a scale word.
QString scaled(double v) {
  const double a = std::fabs(v);
  struct Scale {
    double at;
    const char* word;
  };
  static constexpr Scale scales[] = {{1e12, " T"}, {1e9, " B"}, {1e6, " M"}, {1e3, " K"}};
  for (const Scale& s : scales)
    if (a >= s.at) return QString::number(v / s.at, 'f', a / s.at >= 100 ? 0 : a / s.at >= 10 ? 1 : 2) + s.word;
  return QString::number(v, 'f', a >= 100 ? 0 : a >= 10 ? 1 : 2);
}

}  // namespace

QString gpu_hours_text(double gpu_hours) { return scaled(gpu_hours) + " GPU-h"; }
QString usd_text(double usd) { return "$" + scaled(usd); }
QString days_text(double days) { return QString::number(days, 'f', days >= 100 ? 0 : 1) + " days"; }
QString seconds_text(double s) { return QString::fromStdString(format_seconds(s)); }
QString gb_text(double gb) { return QString::number(gb, 'f', 1) + " GB"; }
QString percent_text(double fraction) { return QString::number(100 * fraction, 'f', 1) + "%"; }
QString count_text(double n) { return QString::fromStdString(format_count(n)); }
QString rate_text(double per_s, const char* unit) { return scaled(per_s) + " " + unit + "/s"; }

}  // namespace deepsim::gui

#include "sim/report/timeline_chart.h"

#include <sstream>

#include "sim/core/format.h"
#include "sim/report/bar_chart.h"
#include "sim/report/svg.h"

namespace deepsim {
namespace {

constexpr double kWidth = 960;
constexpr double kLabel = 70;       // rank labels
constexpr double kPlotWidth = kWidth - kLabel - 20;
constexpr double kRow = 24;         // per rank: compute lane, comm lane, gap
constexpr double kComputeLane = 11;
constexpr double kCommLane = 7;
constexpr double kTop = 8;
constexpr int kTicks = 10;

// Colours by kind: compute in the palette's first colours, communication in later ones.
const char* colour(TimelineKind k) { return series_colour(static_cast<int>(k)); }

// The zoom script: the plot is a nested <svg> whose viewBox is the visible time range in microseconds.
constexpr const char* kScript = R"js(<script>
(function(){var root=document.getElementById('step-timeline');if(!root)return;
var p=root.querySelector('svg.plot'),T=+p.dataset.total,H=+p.dataset.h,x0=0,w=T;
function draw(){p.setAttribute('viewBox',x0+' 0 '+w+' '+H);
root.querySelectorAll('text.tick').forEach(function(t){var v=(x0+w*t.dataset.f)/1000;t.textContent=v.toFixed(w<2000?3:w<20000?2:1);});}
p.addEventListener('wheel',function(e){e.preventDefault();var r=p.getBoundingClientRect(),f=(e.clientX-r.left)/r.width,c=x0+f*w;
w=Math.min(T,Math.max(T/5000,w*(e.deltaY<0?0.8:1.25)));x0=Math.min(T-w,Math.max(0,c-f*w));draw();},{passive:false});
var d=null;p.addEventListener('mousedown',function(e){d={x:e.clientX,x0:x0};});window.addEventListener('mouseup',function(){d=null;});
window.addEventListener('mousemove',function(e){if(!d)return;var r=p.getBoundingClientRect();x0=Math.min(T-w,Math.max(0,d.x0-(e.clientX-d.x)/r.width*w));draw();});
p.addEventListener('dblclick',function(){x0=0;w=T;draw();});})();
</script>
)js";

}  // namespace

std::string timeline_html(const StepResult& step) {
  if (step.timeline.empty() || step.step <= Time::zero()) return "";
  const double total_us = static_cast<double>(step.step.count_ps()) / 1e6;
  const double plot_h = kRow * static_cast<double>(step.ranks.size());
  const double axis_y = kTop + plot_h;
  const double height = axis_y + 60;
  std::ostringstream out;
  out << "<div id=\"step-timeline\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << fixed(kWidth, 0)
      << "\" height=\"" << fixed(height, 0) << "\" font-family=\"sans-serif\">\n";
  for (std::size_t r = 0; r < step.ranks.size(); ++r) {
    const double y = kTop + kRow * static_cast<double>(r);
    out << "<text x=\"" << fixed(kLabel - 6, 0) << "\" y=\"" << fixed(y + 12, 1)
        << "\" font-size=\"11\" text-anchor=\"end\">rank " << step.ranks[r].rank << "</text>\n";
  }
  // The plot: x in microseconds into the step, y in pixels.
  out << "<svg class=\"plot\" x=\"" << fixed(kLabel, 0) << "\" y=\"" << fixed(kTop, 0) << "\" width=\""
      << fixed(kPlotWidth, 0) << "\" height=\"" << fixed(plot_h, 0) << "\" viewBox=\"0 0 " << fixed(total_us, 1) << ' '
      << fixed(plot_h, 0) << "\" preserveAspectRatio=\"none\" data-total=\"" << fixed(total_us, 1) << "\" data-h=\""
      << fixed(plot_h, 0) << "\" style=\"cursor:grab;background:#fafafa\">\n";
  for (const TimelineSpan& s : step.timeline) {
    const double y = kRow * static_cast<double>(s.rank) + (s.comm ? kComputeLane + 1 : 0);
    const double x = static_cast<double>(s.start.count_ps()) / 1e6;
    const double w = std::max(static_cast<double>((s.end - s.start).count_ps()) / 1e6, 0.0);
    out << "<rect x=\"" << fixed(x, 1) << "\" y=\"" << fixed(y, 0) << "\" width=\"" << fixed(w, 1) << "\" height=\""
        << fixed(s.comm ? kCommLane : kComputeLane, 0) << "\" fill=\"" << colour(s.kind) << "\"><title>rank " << s.rank
        << ' ' << to_string(s.kind) << ": " << format_time(s.start) << " to " << format_time(s.end) << " ("
        << s.tasks << (s.tasks == 1 ? " task" : " tasks") << ")</title></rect>\n";
  }
  out << "</svg>\n";
  // The axis: ticks at tenths of the visible range, labelled in ms (the script relabels them on zoom).
  for (int i = 0; i <= kTicks; ++i) {
    const double f = static_cast<double>(i) / kTicks;
    const double x = kLabel + kPlotWidth * f;
    out << "<line x1=\"" << fixed(x, 1) << "\" y1=\"" << fixed(axis_y, 0) << "\" x2=\"" << fixed(x, 1) << "\" y2=\""
        << fixed(axis_y + 4, 0) << "\" stroke=\"#555\"/>\n<text class=\"tick\" data-f=\"" << fixed(f, 2) << "\" x=\""
        << fixed(x, 1) << "\" y=\"" << fixed(axis_y + 16, 0) << "\" font-size=\"10\" text-anchor=\"middle\" fill=\"#555\">"
        << fixed(total_us * f / 1000, 1) << "</text>\n";
  }
  out << "<text x=\"" << fixed(kLabel + kPlotWidth / 2, 0) << "\" y=\"" << fixed(axis_y + 32, 0)
      << "\" font-size=\"11\" text-anchor=\"middle\">time into the step (ms); per rank: compute above, communication below"
      << "</text>\n";
  for (std::size_t k = 0; k < kTimelineKindCount; ++k) {
    const double x = kLabel + 98 * static_cast<double>(k);  // 9 kinds fit the 960 px width
    out << "<rect x=\"" << fixed(x, 0) << "\" y=\"" << fixed(axis_y + 42, 0) << "\" width=\"10\" height=\"10\" fill=\""
        << colour(static_cast<TimelineKind>(k)) << "\"/><text x=\"" << fixed(x + 14, 0) << "\" y=\""
        << fixed(axis_y + 51, 0) << "\" font-size=\"10\">" << xml_escape(to_string(static_cast<TimelineKind>(k)))
        << "</text>\n";
  }
  out << "</svg>\n<p style=\"font-size:12px;color:#555\">Wheel over the plot to zoom, drag to pan, double-click to "
         "reset. Step " << xml_escape(format_time(step.step)) << ".</p>\n</div>\n" << kScript;
  return out.str();
}

}  // namespace deepsim

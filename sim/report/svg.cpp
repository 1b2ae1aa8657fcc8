#include "sim/report/svg.h"

#include "sim/core/format.h"

namespace deepsim {
namespace {

// One decimal is below a pixel's width at any zoom a report is read at, and keeps files small.
std::string n(double v) { return fixed(v, 1); }

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

void Svg::rect(double x, double y, double w, double h, std::string_view fill, std::string_view tooltip) {
  body_ << "<rect x=\"" << n(x) << "\" y=\"" << n(y) << "\" width=\"" << n(w) << "\" height=\"" << n(h)
        << "\" fill=\"" << fill << "\"";
  if (tooltip.empty()) {
    body_ << "/>\n";
    return;
  }
  body_ << "><title>" << xml_escape(tooltip) << "</title></rect>\n";
}

void Svg::line(double x1, double y1, double x2, double y2, std::string_view stroke, double stroke_width, bool dashed) {
  body_ << "<line x1=\"" << n(x1) << "\" y1=\"" << n(y1) << "\" x2=\"" << n(x2) << "\" y2=\"" << n(y2)
        << "\" stroke=\"" << stroke << "\" stroke-width=\"" << n(stroke_width) << "\""
        << (dashed ? " stroke-dasharray=\"4 3\"" : "") << "/>\n";
}

void Svg::text(double x, double y, std::string_view text, double size, std::string_view anchor, std::string_view fill) {
  body_ << "<text x=\"" << n(x) << "\" y=\"" << n(y) << "\" font-size=\"" << n(size) << "\" text-anchor=\"" << anchor
        << "\" fill=\"" << fill << "\">" << xml_escape(text) << "</text>\n";
}

std::string Svg::str() const {
  std::ostringstream out;
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << n(width_) << "\" height=\"" << n(height_)
      << "\" viewBox=\"0 0 " << n(width_) << ' ' << n(height_) << "\" font-family=\"sans-serif\">\n"
      << body_.str() << "</svg>\n";
  return out.str();
}

}  // namespace deepsim

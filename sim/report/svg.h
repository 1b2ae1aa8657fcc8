// A small SVG writer for the reports' inline charts: rectangles, lines and text in user units, escaped,
// with numbers printed at fixed precision so the same chart is the same bytes. Charts are in charts.h.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

namespace deepsim {

[[nodiscard]] std::string xml_escape(std::string_view text);

class Svg {
 public:
  Svg(double width, double height) : width_(width), height_(height) {}
  // `tooltip` becomes a <title> child, which browsers show on hover.
  void rect(double x, double y, double w, double h, std::string_view fill, std::string_view tooltip = {});
  void line(double x1, double y1, double x2, double y2, std::string_view stroke, double stroke_width = 1,
            bool dashed = false);
  void text(double x, double y, std::string_view text, double size = 12, std::string_view anchor = "start",
            std::string_view fill = "#222");
  [[nodiscard]] std::string str() const;

 private:
  double width_;
  double height_;
  std::ostringstream body_;
};

}  // namespace deepsim

#include <cstdio>
#include "report.h"

std::string report(const std::vector<std::unique_ptr<geometry::Shape>> &shapes) {
  std::string text;
  double total = 0;
  char line[128];
  for (const auto &shape : shapes) {
    std::snprintf(line, sizeof line, "%-10s area %8.2f  perimeter %7.2f\n", shape->name().c_str(), shape->area(),
                  shape->perimeter());
    text += line;
    total += shape->area();
  }
  std::snprintf(line, sizeof line, "total area %.2f\n", total);
  return text + line;
}

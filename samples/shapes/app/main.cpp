#include <cstdio>
#include "report.h"

int main() {
  std::vector<std::unique_ptr<geometry::Shape>> shapes;
  shapes.emplace_back(geometry::make_circle(1.5));
  shapes.emplace_back(geometry::make_rectangle(3, 4));
  shapes.emplace_back(geometry::make_triangle(3, 4, 5));
  std::fputs(report(shapes).c_str(), stdout);
  return 0;
}

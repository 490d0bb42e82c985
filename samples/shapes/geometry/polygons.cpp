#include <cmath>
#include "geometry.h"

namespace geometry {
namespace {
struct Rectangle : Shape {
  double w, h;
  Rectangle(double width, double height) : w(width), h(height) {}
  double area() const override { return w * h; }
  double perimeter() const override { return 2 * (w + h); }
  std::string name() const override { return "rectangle"; }
};

struct Triangle : Shape {
  double a, b, c;
  Triangle(double x, double y, double z) : a(x), b(y), c(z) {}
  double area() const override {
    double s = perimeter() / 2; // Heron's formula
    return std::sqrt(s * (s - a) * (s - b) * (s - c));
  }
  double perimeter() const override { return a + b + c; }
  std::string name() const override { return "triangle"; }
};
} // namespace

Shape *make_rectangle(double width, double height) { return new Rectangle(width, height); }
Shape *make_triangle(double a, double b, double c) { return new Triangle(a, b, c); }

} // namespace geometry

#pragma once
#include <string>

namespace geometry {

struct Shape {
  virtual ~Shape() = default;
  virtual double area() const = 0;
  virtual double perimeter() const = 0;
  virtual std::string name() const = 0;
};

Shape *make_circle(double radius);
Shape *make_rectangle(double width, double height);
Shape *make_triangle(double a, double b, double c);

} // namespace geometry

namespace Dtlto.Build.Tests.Support;

/// <summary>
/// A C++ program of four modules that leans on what C++ asks of a ThinLTO link: an inline
/// function's static and an inline variable shared by every module (COMDAT), a template
/// instantiated in several modules, static initialisers in each module, a class whose vtable and
/// typeinfo live in one module and are used through dynamic_cast and typeid in another, and
/// exceptions thrown in one module and caught in another, one of them a class template with no
/// key function (its typeinfo emitted in every module that names it). Prints <see cref="Output"/>.
/// </summary>
internal static class CppProgram
{
    public static readonly string[] Sources = { "main.cpp", "circle.cpp", "square.cpp", "registry.cpp" };

    public const string Output = """
        areas 19, squares 1, shapes made 3, inline counter 3, ints 6
        registered circle main square
        caught BadValue<int> -3 thrown in square.cpp
        caught 'bad value' as BadValue<double>
        typeid Square
        """ + "\n";

    public static void Write(System.Func<string, string, string> write, string folder = "")
    {
        write(folder + "shapes.h", """
            #pragma once
            #include <stdexcept>
            #include <string>
            #include <vector>

            struct Shape {
              virtual ~Shape();
              virtual double area() const = 0;
            };

            struct Square : Shape {
              explicit Square(double side);
              double area() const override;
              double side;
            };

            Shape* make_circle(double radius);
            Shape* make_square(double side);
            int circle_ints();

            inline int& shapes_made() { static int count = 0; return count; }
            inline int inline_counter = 0;

            template <typename T> T total(const std::vector<T>& values) {
              T sum{};
              for (const T& value : values) sum += value;
              return sum;
            }

            template <typename T> struct BadValue : std::invalid_argument {
              explicit BadValue(T v) : std::invalid_argument("bad value"), value(v) {}
              T value;
            };

            std::vector<std::string>& registry();
            struct Registrar {
              explicit Registrar(const char* name) { registry().push_back(name); }
            };
            """);
        write(folder + "registry.cpp", """
            #include "shapes.h"
            Shape::~Shape() = default;
            std::vector<std::string>& registry() { static std::vector<std::string> names; return names; }
            """);
        write(folder + "circle.cpp", """
            #include "shapes.h"
            namespace {
            struct Circle final : Shape {
              explicit Circle(double r) : radius(r) {}
              double area() const override { return 3 * radius * radius; }
              double radius;
            };
            Registrar registered("circle");
            }
            Shape* make_circle(double radius) {
              if (radius < 0) throw BadValue<double>(radius);
              ++shapes_made();
              ++inline_counter;
              return new Circle(radius);
            }
            int circle_ints() { return total(std::vector<int>{1, 2, 3}); }
            """);
        write(folder + "square.cpp", """
            #include "shapes.h"
            static Registrar registered("square");
            Square::Square(double s) : side(s) {}
            double Square::area() const { return side * side; }
            Shape* make_square(double side) {
              if (side < 0) throw BadValue<int>(static_cast<int>(side));
              ++shapes_made();
              ++inline_counter;
              return new Square(side);
            }
            """);
        write(folder + "main.cpp", """
            #include <algorithm>
            #include <cstdio>
            #include <typeinfo>
            #include "shapes.h"
            static Registrar registered("main");
            int main() {
              std::vector<Shape*> shapes{make_circle(1), make_square(2), make_circle(2)};
              std::vector<double> areas;
              int squares = 0;
              for (Shape* shape : shapes) {
                areas.push_back(shape->area());
                if (dynamic_cast<Square*>(shape)) ++squares;
              }
              std::printf("areas %g, squares %d, shapes made %d, inline counter %d, ints %d\n",
                          total(areas), squares, shapes_made(), inline_counter, circle_ints());
              std::vector<std::string> names = registry();
              std::sort(names.begin(), names.end());
              std::printf("registered %s %s %s\n", names.at(0).c_str(), names.at(1).c_str(), names.at(2).c_str());
              try { make_square(-3); } catch (const BadValue<int>& e) { std::printf("caught BadValue<int> %d thrown in square.cpp\n", e.value); }
              try { make_circle(-1.5); } catch (const std::invalid_argument& e) {
                std::printf("caught '%s' as %s\n", e.what(), typeid(e) == typeid(BadValue<double>) ? "BadValue<double>" : "something else");
              }
              std::printf("typeid %s\n", typeid(*shapes[1]) == typeid(Square) ? "Square" : "something else");
              for (Shape* shape : shapes) delete shape;
              return 0;
            }
            """);
    }
}

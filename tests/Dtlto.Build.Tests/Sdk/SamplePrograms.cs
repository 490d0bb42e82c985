using System.IO;
using Dtlto.Build.Tests.Support;

namespace Dtlto.Build.Tests.Sdk;

/// <summary>Small native projects the SDK tests build.</summary>
internal static class SamplePrograms
{
    public const string AppOutput = "hello from greet, 6*7=42, fib(20)=6765\n";

    /// <summary>
    /// app/app.clangproj: main.cpp and greet.cpp include app.h; numbers.c is C and includes
    /// nothing of ours. Prints <see cref="AppOutput"/>.
    /// </summary>
    public static string WriteApp(NativeWorkspace workspace, string projectProperties = "", string extraItems = "")
    {
        workspace.Write("app/include/app.h", """
            #pragma once
            #include <string>
            std::string greeting();
            extern "C" int multiply(int a, int b);
            extern "C" int fib(int n);
            """);
        workspace.Write("app/main.cpp", """
            #include <cstdio>
            #include "app.h"
            int main() {
              std::printf("%s, 6*7=%d, fib(20)=%d\n", greeting().c_str(), multiply(6, 7), fib(20));
              return 0;
            }
            """);
        workspace.Write("app/greet.cpp", """
            #include "app.h"
            #ifndef GREETER
            #define GREETER "greet"
            #endif
            std::string greeting() { return std::string("hello from ") + GREETER; }
            """);
        workspace.Write("app/numbers.c", """
            int multiply(int a, int b) { return a * b; }
            int fib(int n) { int a = 0, b = 1; while (n-- > 0) { int t = a + b; a = b; b = t; } return a; }
            """);
        return workspace.WriteProject("app/app.clangproj", $"""
              <PropertyGroup>
            {projectProperties}
              </PropertyGroup>
              <ItemDefinitionGroup>
                <ClCompile>
                  <AdditionalIncludeDirectories>include;%(AdditionalIncludeDirectories)</AdditionalIncludeDirectories>
                </ClCompile>
              </ItemDefinitionGroup>
              <ItemGroup>
                <ClCompile Include="main.cpp" />
                <ClCompile Include="greet.cpp" />
                <ClCompile Include="numbers.c" />
              </ItemGroup>
            {extraItems}
            """);
    }

    /// <summary>
    /// The app with a referenced static library (lib/lib.clangproj: scale.c, which main calls, and
    /// offset.c, which nothing needs); prints <see cref="AppOutput"/>.
    /// </summary>
    public static string WriteAppWithLibrary(NativeWorkspace workspace, string properties = "")
    {
        workspace.Write("lib/scale.c", "int scale(int x) { return 3 * x; }\nint never_used(int x) { return x - 1; }\n");
        workspace.Write("lib/offset.c", "int offset(int x) { return x + 4; }\n");
        workspace.WriteProject("lib/lib.clangproj", """
              <PropertyGroup><ConfigurationType>StaticLibrary</ConfigurationType></PropertyGroup>
              <ItemGroup><ClCompile Include="scale.c" /><ClCompile Include="offset.c" /></ItemGroup>
            """);
        string project = WriteApp(workspace, properties, """
              <ItemGroup><ProjectReference Include="../lib/lib.clangproj" /></ItemGroup>
            """);
        // main also calls into the library; offset.o is a member nothing needs, so no link loads it.
        string main = workspace.File("app/main.cpp");
        File.WriteAllText(main, File.ReadAllText(main)
            .Replace("#include \"app.h\"", "#include \"app.h\"\nextern \"C\" int scale(int);")
            .Replace("return 0;", "return scale(1) == 3 ? 0 : 1;"));
        return project;
    }

    /// <summary>lib/shapes.clangproj: a StaticLibrary of one module with <c>int square_area(int side)</c>, declared in lib/shapes.h.</summary>
    public static void WriteShapesLibrary(NativeWorkspace workspace)
    {
        workspace.Write("lib/shapes.h", "int square_area(int side);\n");
        workspace.Write("lib/shapes.cpp", "#include \"shapes.h\"\nint square_area(int side) { return side * side; }\n");
        workspace.WriteProject("lib/shapes.clangproj", """
              <PropertyGroup><ConfigurationType>StaticLibrary</ConfigurationType></PropertyGroup>
              <ItemGroup><ClCompile Include="shapes.cpp" /></ItemGroup>
            """);
    }
}

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
}

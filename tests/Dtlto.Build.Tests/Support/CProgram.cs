namespace Dtlto.Build.Tests.Support;

/// <summary>A five-module C program with calls across modules, for links outside MSBuild.</summary>
public static class CProgram
{
    public const string Output = "hello sum=385 fib=6765\n";

    public static readonly string[] Sources = { "main.c", "squares.c", "square.c", "fib.c", "greeting.c" };

    public static readonly string[] Objects = { "main.o", "squares.o", "square.o", "fib.o", "greeting.o" };

    public static void Write(TestDirectory dir)
    {
        dir.Write("main.c", """
            #include <stdio.h>
            int sum_squares(int n);
            int fib(int n);
            const char *greeting(void);
            int main(void) {
              printf("%s sum=%d fib=%d\n", greeting(), sum_squares(10), fib(20));
              return 0;
            }
            """);
        dir.Write("squares.c", """
            int square(int x);
            int sum_squares(int n) { int s = 0; for (int i = 1; i <= n; i++) s += square(i); return s; }
            """);
        dir.Write("square.c", "int square(int x) { return x * x; }\n");
        dir.Write("fib.c", "int fib(int n) { int a = 0, b = 1; while (n-- > 0) { int t = a + b; a = b; b = t; } return a; }\n");
        dir.Write("greeting.c", "const char *greeting(void) { return \"hello\"; }\n");
    }
}

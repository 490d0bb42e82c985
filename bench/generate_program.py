#!/usr/bin/env python3
"""Generates a multi-module C program for link benchmarks.

Each module defines functions that do integer work in loops and call functions of other
modules, so the thin link has imports to decide and every backend compile has real work.
Parameters set the module count, how densely modules call each other, and the size skew:
a few modules are much larger than the rest, as in real code bases.
The program prints one checksum; every way of linking it must print the same.
"""
import argparse
import os
import random


def function_body(rng, module, index, callees, statements):
    lines = [f"unsigned m{module}_f{index}(unsigned x) {{", "  unsigned acc = x;"]
    for s in range(statements):
        a, b, c = rng.randint(1, 97), rng.randint(1, 13), rng.randint(2, 31)
        kind = s % 4
        if kind == 0:
            lines.append(f"  for (unsigned i = 0; i < {c}; i++) acc = acc * {a} + (i ^ {b});")
        elif kind == 1:
            lines.append(f"  if ((acc & {b}) == {b % 7}) acc += {a}; else acc ^= acc >> {b % 5 + 1};")
        elif kind == 2:
            lines.append(f"  switch (acc & 3) {{ case 0: acc += {a}; break; case 1: acc -= {b}; break; default: acc *= {c}; }}")
        else:
            lines.append(f"  acc = (acc << {b % 7 + 1}) ^ (acc >> {c % 5 + 1}) ^ {a};")
    for callee in callees:
        lines.append(f"  acc += {callee}(acc & 0xff);")
    lines.append("  acc += COMMON_SCALE;")
    lines.append("  return acc;")
    lines.append("}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory")
    parser.add_argument("--modules", type=int, default=200)
    parser.add_argument("--functions", type=int, default=12, help="functions in an ordinary module")
    parser.add_argument("--statements", type=int, default=24, help="statements in a function")
    parser.add_argument("--calls", type=int, default=3, help="calls from each function into other modules")
    parser.add_argument("--large-modules", type=int, default=4, help="modules that are much larger")
    parser.add_argument("--large-factor", type=int, default=8, help="how much larger they are")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--common-header", action="store_true",
                        help="every module includes common.h, whose COMMON_SCALE every function uses")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    os.makedirs(args.directory, exist_ok=True)
    if args.common_header:
        with open(os.path.join(args.directory, "common.h"), "w") as out:
            out.write("#define COMMON_SCALE 1u\n")
    include = '#include "common.h"\n' if args.common_header else "#define COMMON_SCALE 0u\n"

    large = set(rng.sample(range(args.modules), min(args.large_modules, args.modules)))
    functions = {m: args.functions * (args.large_factor if m in large else 1) for m in range(args.modules)}

    # Functions only call into modules with a higher number, so the call graph has no cycles.
    for m in range(args.modules):
        parts = []
        externs = set()
        for f in range(functions[m]):
            callees = []
            for _ in range(args.calls):
                if m + 1 >= args.modules:
                    break
                target = rng.randint(m + 1, args.modules - 1)
                name = f"m{target}_f{rng.randrange(functions[target])}"
                callees.append(name)
                externs.add(name)
            parts.append(function_body(rng, m, f, callees, args.statements))
        header = "\n".join(f"unsigned {name}(unsigned x);" for name in sorted(externs))
        entry = " + ".join(f"m{m}_f{f}(x + {f})" for f in range(functions[m]))
        parts.append(f"unsigned module{m}_entry(unsigned x) {{ return {entry}; }}")
        with open(os.path.join(args.directory, f"m{m}.c"), "w") as out:
            out.write(include + header + "\n\n" + "\n\n".join(parts) + "\n")

    with open(os.path.join(args.directory, "main.c"), "w") as out:
        out.write("#include <stdio.h>\n")
        out.write("".join(f"unsigned module{m}_entry(unsigned x);\n" for m in range(args.modules)))
        out.write("int main(void) {\n  unsigned sum = 0;\n")
        out.write("".join(f"  sum = sum * 31u + (unsigned)module{m}_entry({m});\n" for m in range(args.modules)))
        out.write('  printf("checksum %u\\n", sum);\n  return 0;\n}\n')


if __name__ == "__main__":
    main()

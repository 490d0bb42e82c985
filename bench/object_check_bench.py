#!/usr/bin/env python3
"""Measures the object check every backend result passes before it is kept or used.

Runs `dtlto-distributor --check-objects` (the check as the engine runs it, the file in the page
cache, the median of 21 checks of each file) over real objects: every member of LLVM 22's
libLLVMX86CodeGen.a (C++ built -O2 by Debian: the objects a large code base's backend writes), and
two objects with more sections than a header can count (ELF extended numbering, COFF /bigobj),
assembled here. Prints a row per kind of object and the median cost per MB over all of them.

  python3 bench/object_check_bench.py --distributor artifacts/bin/Dtlto.Build.Distributor/release/dtlto-distributor
"""
import argparse
import glob
import os
import re
import statistics
import subprocess
import sys
import tempfile

LINE = re.compile(r"^(.*): sound \((\d+) bytes, checked in ([\d.]+) us, ([\d.]+) us per MB\)$")


def check(distributor, target, files):
    run = subprocess.run([distributor, "--check-objects", f"--target={target}", *files], capture_output=True, text=True)
    rows = [LINE.match(line) for line in run.stdout.splitlines()]
    if run.returncode != 0 or not all(rows):
        sys.exit(f"error: the check refused an object or said something else:\n{run.stdout}{run.stderr}")
    return [(int(m.group(2)), float(m.group(3)), float(m.group(4))) for m in rows]


def many_sections(folder, clang, triple, section, name):
    source = os.path.join(folder, name + ".s")
    with open(source, "w") as out:
        out.write("\n".join(f'.section {section.format(i)}\n.globl f{i}\nf{i}:\ncall f{(i + 1) % 66000}\nret' for i in range(66000)))
    subprocess.run([clang, "-c", f"--target={triple}", source, "-o", os.path.join(folder, name)], check=True)
    return os.path.join(folder, name)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--distributor", required=True)
    parser.add_argument("--llvm", default="/usr/lib/llvm-22")
    args = parser.parse_args()
    clang = os.path.join(args.llvm, "bin", "clang")
    with tempfile.TemporaryDirectory() as folder:
        members = os.path.join(folder, "x86codegen")
        os.mkdir(members)
        subprocess.run([os.path.join(args.llvm, "bin", "llvm-ar"), "x", os.path.join(args.llvm, "lib", "libLLVMX86CodeGen.a")], cwd=members, check=True)
        llvm = check(args.distributor, "x86_64-pc-linux-gnu", sorted(glob.glob(os.path.join(members, "*.o"))))
        elf = check(args.distributor, "x86_64-pc-linux-gnu", [many_sections(folder, clang, "x86_64-pc-linux-gnu", '.text.f{0},"ax",@progbits', "many.o")])
        coff = check(args.distributor, "x86_64-pc-windows-msvc", [many_sections(folder, clang, "x86_64-pc-windows-msvc", '.text$f{0},"xr"', "many.obj")])

    print("| objects | count | MB in all | largest MB | median us per object | median us per MB | worst us per MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, rows in (("libLLVMX86CodeGen.a members (ELF)", llvm), ("66,000 sections, ELF extended numbering", elf), ("66,000 sections, COFF /bigobj", coff)):
        print(f"| {label} | {len(rows)} | {sum(r[0] for r in rows) / 1e6:.1f} | {max(r[0] for r in rows) / 1e6:.1f} | "
              f"{statistics.median(r[1] for r in rows):.0f} | {statistics.median(r[2] for r in rows):.0f} | {max(r[2] for r in rows):.0f} |")


if __name__ == "__main__":
    main()

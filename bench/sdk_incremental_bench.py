#!/usr/bin/env python3
"""Incremental Release relinks of Lua 5.4 (C) or of TagLib 1.13 and its tests (C++) through
Dtlto.Build.Sdk (Integrated mode, its backend cache in a folder of its own) beside the same project linked inside lld with lld's own cache
(DtltoEnabled=false, -Wl,--thinlto-cache-dir), both through `dotnet build`: how many backend
compiles each runs, and how long the link takes, for a first link, a relink with nothing changed
(the program deleted), one module's body changed, a header every module includes changed without
changing code, and a second checkout of the same sources at another path. The two projects build
in turns at every step; the whole sequence is repeated and medians are given.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys

from measure import measure, write_sdk_workspace

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LINK_TARGETS = {"sdk": ("DtltoThinLink", "DtltoBackendCompile", "DtltoFinalLink"), "lld": ("_DtltoNativeLink",)}
SCRIPT = "local t = {} for i = 1, 200000 do t[i] = i * i end print(#t, t[200000])"


def mode_settings(mode, caches):
    """The properties and link options of a mode: the SDK with its cache, or lld with its own."""
    if mode == "sdk":
        return f"<DtltoMode>Integrated</DtltoMode><DtltoCacheDirectory>{caches}/sdk</DtltoCacheDirectory>", ""
    return "<DtltoEnabled>false</DtltoEnabled>", f"<AdditionalOptions>-Wl,--thinlto-cache-dir={caches}/lld</AdditionalOptions>"


def write_lua_checkout(folder, mode, version, caches):
    """A copy of Lua's sources with a project for one mode."""
    shutil.copytree(os.path.join(HERE, "out", "lua-5.4", "src"), folder)
    sources = sorted(f for f in os.listdir(folder) if f.endswith(".c") and f != "luac.c")
    write_sdk_workspace(folder, version)
    properties, link_options = mode_settings(mode, caches)
    items = "\n".join(f'    <ClCompile Include="{s}" />' for s in sources)
    with open(os.path.join(folder, "lua.clangproj"), "w") as f:
        f.write(f"""<Project Sdk="Dtlto.Build.Sdk">
  <PropertyGroup>{properties}</PropertyGroup>
  <ItemDefinitionGroup>
    <ClCompile><PreprocessorDefinitions>LUA_USE_LINUX</PreprocessorDefinitions></ClCompile>
    <Link><AdditionalDependencies>m;dl</AdditionalDependencies>{link_options}</Link>
  </ItemDefinitionGroup>
  <ItemGroup>
{items}
  </ItemGroup>
</Project>
""")


def write_taglib_checkout(folder, mode, version, caches):
    """A copy of TagLib's sources beside the sample's projects, whose shared props get the mode."""
    shutil.copytree(os.path.join(HERE, "out", "taglib"), os.path.join(folder, "source"))
    sample = os.path.join(ROOT, "samples", "taglib")
    for part in ("config", "tag", "test_runner"):
        shutil.copytree(os.path.join(sample, part), os.path.join(folder, part), ignore=shutil.ignore_patterns("bin", "obj"))
    write_sdk_workspace(folder, version)
    properties, link_options = mode_settings(mode, caches)
    with open(os.path.join(sample, "taglib.props")) as f:
        props = f.read()
    with open(os.path.join(folder, "taglib.props"), "w") as f:
        f.write(props.replace("</Project>", f"  <PropertyGroup>{properties}</PropertyGroup>\n"
                                            f"  <ItemDefinitionGroup><Link>{link_options}</Link></ItemDefinitionGroup>\n</Project>"))


# Each program: how to write a checkout, the project to build and where its program lands (in the checkout), how to run it, and the cases'
# edits: one module's body, and a header every module includes (no code change).
PROGRAMS = {
    "lua": dict(label="Lua 5.4 (33 modules)", fetch=["bash", os.path.join(HERE, "fetch_lua.sh")], write=write_lua_checkout,
                project="lua.clangproj", program="bin/Release/lua", run=["-e", SCRIPT],
                body=("lapi.c", "LUA_API int lua_absindex (lua_State *L, int idx) {",
                      "LUA_API int lua_absindex (lua_State *L, int idx) {\n  if (idx == 0x7fffffff) return 0;"),
                header=("luaconf.h", "#define luaconf_h", "#define luaconf_h\n#define LUACONF_EDITED 1")),
    "taglib": dict(label="TagLib 1.13 and its CppUnit tests (C++, 141 modules)",
                   fetch=["bash", os.path.join(ROOT, "samples", "taglib", "fetch-source.sh"), os.path.join(HERE, "out", "taglib")],
                   write=write_taglib_checkout, project="test_runner/test_runner.clangproj",
                   program="test_runner/bin/Release/test_runner", run=[],
                   body=("source/taglib/mpeg/mpegfile.cpp", "bool MPEG::File::save(int tags, StripTags strip, ID3v2::Version version, DuplicateTags duplicate)\n{",
                         "bool MPEG::File::save(int tags, StripTags strip, ID3v2::Version version, DuplicateTags duplicate)\n{\n  if(tags == 0x7fffffff)\n    return false;"),
                   header=("source/taglib/toolkit/taglib.h", "#define TAGLIB_H", "#define TAGLIB_H\n#define TAGLIB_H_EDITED 1")),
}


def link_seconds(output, mode):
    total = 0
    for target in LINK_TARGETS[mode]:
        match = re.search(rf"^\s+(\d+) ms\s+{target}\s+\d+ calls", output, re.M)
        total += int(match.group(1)) if match else 0
    return total / 1000


def build(checkout, mode, caches, env, spec):
    """Builds; returns (backend compiles, link seconds, the program's output)."""
    project = os.path.join(checkout, spec["project"])
    lld_cache = os.path.join(caches, "lld")
    before = set(os.listdir(lld_cache)) if os.path.isdir(lld_cache) else set()
    r = measure(["dotnet", "build", project, "-c", "Release", "-nodeReuse:false", "-clp:PerformanceSummary", "-v:n"],
                os.path.dirname(project), env)
    if mode == "sdk":
        summary = re.search(r"Backend compiles: \d+ backend jobs, \d+ workers, \d+ cache hits \(\d+ local, (\d+) compiled", r.output)
        compiles = int(summary.group(1)) if summary else 0
    else:
        compiles = len([f for f in set(os.listdir(lld_cache)) - before if f.startswith("llvmcache-")])
    program = os.path.join(checkout, spec["program"])
    ran = subprocess.run([program, *spec["run"]], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True).stdout
    return compiles, link_seconds(r.output, mode), ran


def edit(path, old, new):
    with open(path) as f:
        text = f.read()
    if old not in text:
        sys.exit(f"error: {old!r} not in {path}")
    with open(path, "w") as f:
        f.write(text.replace(old, new, 1))


def sequence(work, version, env, spec):
    """One run of every case for both modes; returns {case: {mode: (compiles, seconds)}}."""
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    caches = os.path.join(work, "caches")
    checkouts = {mode: os.path.join(work, f"checkout-{mode}") for mode in ("sdk", "lld")}
    for mode, checkout in checkouts.items():
        spec["write"](checkout, mode, version, caches)
    results = {}

    def step(case, change=None):
        results[case] = {}
        outputs = set()
        for mode, checkout in checkouts.items():
            if change:
                change(checkout)
            compiles, seconds, ran = build(checkout, mode, caches, env, spec)
            results[case][mode] = (compiles, seconds)
            outputs.add(ran)
        if len(outputs) != 1:
            sys.exit(f"error: {case}: the programs differ: {outputs}")

    step("first link (empty caches)")
    step("nothing changed (program deleted)", lambda folder: os.remove(os.path.join(folder, spec["program"])))
    body, header = spec["body"], spec["header"]
    step(f"one module body changed ({os.path.basename(body[0])})", lambda folder: edit(os.path.join(folder, body[0]), body[1], body[2]))
    step(f"header every module includes changed ({os.path.basename(header[0])}, no code change)",
         lambda folder: edit(os.path.join(folder, header[0]), header[1], header[2]))
    # Another checkout of the changed sources at a longer path, sharing each mode's cache.
    for mode in ("sdk", "lld"):
        other = os.path.join(work, "elsewhere", "another-checkout", f"checkout-{mode}")
        shutil.copytree(checkouts[mode], other, ignore=shutil.ignore_patterns("bin", "obj"))
        checkouts[mode] = other
    step("second checkout at another path")
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--version", required=True, help="the Dtlto.Build.Sdk version in artifacts/packages")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--program", choices=sorted(PROGRAMS), default="lua")
    args = parser.parse_args()

    spec = PROGRAMS[args.program]
    subprocess.check_call(spec["fetch"])
    work = os.path.join(HERE, "out", "sdk-incremental")
    env = dict(os.environ, NUGET_PACKAGES=os.path.join(ROOT, "artifacts", "nuget-packages"))
    runs = []
    for run in range(args.runs):
        print(f"sequence {run + 1}/{args.runs} ...", file=sys.stderr)
        runs.append(sequence(work, args.version, env, spec))

    print()
    print(f"Incremental Release relinks of {spec['label']} through `dotnet build`, {os.cpu_count()} cores, median of {args.runs} runs")
    print(f"{'case':<66} {'lld compiles':>12} {'lld link s':>10} {'SDK compiles':>12} {'SDK link s':>10}")
    for case in runs[0]:
        cells = []
        for mode in ("lld", "sdk"):
            compiles = statistics.median(r[case][mode][0] for r in runs)
            seconds = statistics.median(r[case][mode][1] for r in runs)
            cells += [f"{compiles:>12.0f}", f"{seconds:>10.2f}"]
        print(f"{case:<66} {' '.join(cells)}")


if __name__ == "__main__":
    main()

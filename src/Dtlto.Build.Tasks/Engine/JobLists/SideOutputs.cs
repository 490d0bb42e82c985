using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Dtlto.Build.Engine.JobLists;

/// <summary>
/// Files a backend compile writes beside its object that lld's job list does not name, and that
/// the program or the user keeps after the link:
/// <list type="bullet">
/// <item>split DWARF's <c>.dwo</c>, which the program's debug information points at. clang names
/// it after the object, which lld names after its process id, so no two links would agree; the
/// job is given a name of its own that every link of the program shares,
/// <c>&lt;linker output&gt;_dwo/&lt;module&gt;.dwo</c> (the folder clang names for in-process
/// ThinLTO), so a cached object's skeleton names the <c>.dwo</c> the cache brings back with it;</item>
/// <item>the <c>-save-temps</c> files, named after the module's bitcode (in the working
/// directory, or beside the object with <c>=obj</c>).</item>
/// </list>
/// A cache entry and a remote action carry these with the object (<see cref="BackendJob.SideOutputs"/>).
/// Other options whose files cannot be named from here make the job <see cref="Unknown"/>: it
/// runs on this machine, uncached.
/// </summary>
public static class SideOutputs
{
    /// <summary>The LTO backend's own <c>-save-temps</c> files, after the assembly file's name.</summary>
    private static readonly string[] SaveTempsSuffixes =
    {
        "", ".0.preopt.bc", ".1.promote.bc", ".2.internalize.bc", ".3.import.bc", ".4.opt.bc", ".5.precodegen.bc", ".resolution.txt",
    };

    /// <summary>
    /// Why the command writes files that cannot be named here, in words; null when every file
    /// it writes is an output or a side output.
    /// </summary>
    public static string? Unknown(IReadOnlyList<string> command)
    {
        foreach (string argument in command)
        {
            if (argument.StartsWith("-fsave-optimization-record", StringComparison.Ordinal) || argument.StartsWith("-foptimization-record-file", StringComparison.Ordinal))
                return argument + " writes an optimization record";
            if (argument.StartsWith("-ftime-trace", StringComparison.Ordinal) && !argument.StartsWith("-ftime-trace-granularity", StringComparison.Ordinal))
                return argument + " writes a time trace";
            if (argument == "-fstack-usage")
                return "-fstack-usage writes a .su file";
            if (argument is "-MD" or "-MMD" or "-MF")
                return argument + " writes a dependency file";
        }

        if (SplitDwarf(command) && SaveTemps(command) is not null)
            return "-gsplit-dwarf with -save-temps writes the .dwo from the assembler, under a name of its own";
        return null;
    }

    /// <summary>
    /// The list with every job's side outputs declared, and split DWARF jobs given their stable
    /// <c>.dwo</c> name; a job whose side outputs are <see cref="Unknown"/> is left as it is.
    /// </summary>
    public static JobList Declare(JobList jobList)
    {
        var jobs = new List<BackendJob>(jobList.Jobs.Count);
        bool changed = false;
        foreach (BackendJob job in jobList.Jobs)
        {
            IReadOnlyList<string> command = jobList.CommandFor(job);
            if (job.SideOutputs.Count > 0 || Unknown(command) is not null)
            {
                jobs.Add(job);
                continue;
            }

            IReadOnlyList<string> args = job.Args;
            if (SplitDwarf(command) && ExplicitDwo(command) is null)
            {
                string dwo = DwoFor(jobList, job);
                args = args.Concat(new[] { "-Xclang", "-split-dwarf-file", "-Xclang", dwo, "-Xclang", "-split-dwarf-output", "-Xclang", dwo }).ToList();
                command = jobList.CommonArgs.Concat(args).ToList();
            }

            IReadOnlyList<string> side = Of(command, job.Bitcode);
            changed |= side.Count > 0;
            jobs.Add(side.Count == 0 ? job : new BackendJob(job.Index, args, job.Inputs, job.Outputs, side));
        }

        return changed ? new JobList(jobList.LinkerOutput, jobList.CommonArgs, jobList.CommonInputs, jobs, jobList.BaseDirectory) : jobList;
    }

    /// <summary>
    /// The files <paramref name="command"/> writes besides the outputs it names with <c>-o</c>,
    /// as paths relative to its working directory (or absolute): <paramref name="bitcode"/> is the module it compiles.
    /// </summary>
    public static IReadOnlyList<string> Of(IReadOnlyList<string> command, string bitcode)
    {
        var files = new List<string>();
        string? output = LastValue(command, "-o");
        if (SplitDwarf(command))
            files.Add(ExplicitDwo(command) ?? (output is null ? Stem(bitcode) + ".dwo" : Path.ChangeExtension(output, ".dwo")));
        if (SaveTemps(command) is string mode)
        {
            string folder = mode == "obj" && output is not null ? Path.GetDirectoryName(output) ?? "" : "";
            string assembly = folder.Length == 0 ? Stem(bitcode) + ".s" : folder + "/" + Stem(bitcode) + ".s";
            files.AddRange(SaveTempsSuffixes.Select(suffix => assembly + suffix));
        }

        return files;
    }

    /// <summary>Whether the command splits DWARF into a <c>.dwo</c>: the last of the options that say so decides.</summary>
    private static bool SplitDwarf(IReadOnlyList<string> command)
    {
        bool split = false;
        foreach (string argument in command)
        {
            if (argument is "-gsplit-dwarf" or "-gsplit-dwarf=split")
                split = true;
            else if (argument is "-gno-split-dwarf" or "-gsplit-dwarf=single")
                split = false;
        }

        return split;
    }

    /// <summary>"cwd" or "obj" when the command saves its temporaries (the last option decides), null otherwise.</summary>
    private static string? SaveTemps(IReadOnlyList<string> command)
    {
        string? mode = null;
        foreach (string argument in command)
        {
            string option = argument.StartsWith("--", StringComparison.Ordinal) ? argument.Substring(1) : argument;
            if (option == "-save-temps" || option == "-save-temps=cwd")
                mode = "cwd";
            else if (option == "-save-temps=obj")
                mode = "obj";
        }

        return mode;
    }

    /// <summary>The <c>.dwo</c> a command names itself (<c>-Xclang -split-dwarf-output -Xclang F</c>), as <see cref="Declare"/> writes it.</summary>
    private static string? ExplicitDwo(IReadOnlyList<string> command)
    {
        var frontend = new List<string>();
        for (int i = 0; i + 1 < command.Count; i++)
        {
            if (command[i] == "-Xclang")
                frontend.Add(command[++i]);
        }

        return LastValue(frontend, "-split-dwarf-output");
    }

    private static string? LastValue(IReadOnlyList<string> arguments, string option)
    {
        string? value = null;
        for (int i = 0; i + 1 < arguments.Count; i++)
        {
            if (arguments[i] == option)
                value = arguments[i + 1];
        }

        return value;
    }

    /// <summary>
    /// <c>&lt;linker output&gt;_dwo/&lt;module&gt;.dwo</c>: the same in every link of the program,
    /// one per module, relative to lld's working directory when the output is below it.
    /// </summary>
    private static string DwoFor(JobList jobList, BackendJob job)
    {
        string output = jobList.LinkerOutput;
        if (Path.IsPathRooted(output))
        {
            string relative = Processes.RelativePath.From(jobList.BaseDirectory, output);
            output = relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? output : relative;
        }

        string module = StableJob.Normalize(job.Bitcode) ?? jobList.Resolve(job.Bitcode).TrimStart('/', '\\');
        module = ExtractedArchiveMember.Stable(module);
        string name = module.Replace("../", "up~").Replace('/', '~').Replace('\\', '~').Replace(':', '~');
        return output.Replace('\\', '/') + "_dwo/" + name + ".dwo";
    }

    /// <summary>clang's stem of a file name: the name without its last extension.</summary>
    private static string Stem(string path) => Path.GetFileNameWithoutExtension(path);
}

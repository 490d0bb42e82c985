using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Dtlto.Build.Engine.Verification;

namespace Dtlto.Build.Distributor;

/// <summary>
/// <c>dtlto-distributor --check-objects [--target=TRIPLE] FILE...</c>: the object check every
/// backend result passes before it is kept or used, run on files of the user's, one line each
/// with the verdict and what the check cost (the median of 21 runs, the file in the page cache).
/// Exits 1 (<see cref="ExitCodes.JobsFailed"/>) when a file fails it. Not a link: lld never runs this.
/// </summary>
internal static class ObjectCheckCommand
{
    public const string Name = "--check-objects";

    private const int Runs = 21;

    public static int Run(IReadOnlyList<string> arguments)
    {
        ObjectTarget target = ObjectTarget.Any;
        var files = new List<string>();
        foreach (string argument in arguments)
        {
            if (argument.StartsWith("--target=", StringComparison.Ordinal))
                target = ObjectTarget.OfTriple(argument.Substring("--target=".Length));
            else
                files.Add(argument);
        }

        if (files.Count == 0)
        {
            Console.Error.WriteLine("dtlto-distributor: error: --check-objects needs the objects to check (try --help)");
            return ExitCodes.Usage;
        }

        bool allSound = true;
        foreach (string file in files)
        {
            ObjectProblem? problem = ObjectVerifier.Problem(file, target);
            if (problem is not null)
            {
                allSound = false;
                Console.WriteLine($"{file}: {problem}");
                continue;
            }

            var times = new double[Runs];
            for (int i = 0; i < Runs; i++)
            {
                long start = Stopwatch.GetTimestamp();
                ObjectVerifier.Problem(file, target);
                times[i] = (Stopwatch.GetTimestamp() - start) * 1e6 / Stopwatch.Frequency;
            }

            double median = times.OrderBy(t => t).ElementAt(Runs / 2);
            long bytes = new FileInfo(file).Length;
            Console.WriteLine($"{file}: sound ({bytes} bytes, checked in {median:0.0} us, {median / (bytes / 1048576.0):0.0} us per MB)");
        }

        return allSound ? ExitCodes.Success : ExitCodes.JobsFailed;
    }
}

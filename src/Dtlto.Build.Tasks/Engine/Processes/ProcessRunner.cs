using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Dtlto.Build.Engine.Processes;

/// <summary>Runs a program to completion; see <see cref="ChildProcess"/> for how it is run.</summary>
public static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(IReadOnlyList<string> argv, string workingDirectory, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return new ProcessResult(-1, "", TimeSpan.Zero, stopped: true, startError: null);

        ChildProcess child;
        try
        {
            child = ChildProcess.Start(argv, workingDirectory);
        }
        catch (ChildProcessStartException e)
        {
            return new ProcessResult(-1, "", TimeSpan.Zero, stopped: false, startError: e.Message);
        }

        using (child)
            return await child.WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}

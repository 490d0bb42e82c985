using System;
using System.Globalization;

namespace Dtlto.Build.Engine.Jobserver;

/// <summary>
/// Where a GNU make jobserver hands out its tokens, as MAKEFLAGS names it:
/// <c>--jobserver-auth=fifo:PATH</c> (make 4.4 and later), <c>--jobserver-auth=R,W</c> (the read
/// and write ends of a pipe, inherited file descriptors), or <c>--jobserver-fds=R,W</c> (make
/// before 4.2). The last such option counts, as make itself reads it.
/// </summary>
public sealed class JobserverAuth
{
    private JobserverAuth(string? fifo, int readFd, int writeFd)
    {
        Fifo = fifo;
        ReadFd = readFd;
        WriteFd = writeFd;
    }

    /// <summary>The named pipe to open, or null for inherited descriptors.</summary>
    public string? Fifo { get; }

    public int ReadFd { get; }

    public int WriteFd { get; }

    /// <summary>The jobserver MAKEFLAGS names; null when it names none (or in a form this client does not know, such as Windows' semaphores).</summary>
    public static JobserverAuth? FromMakeflags(string? makeflags)
    {
        if (string.IsNullOrWhiteSpace(makeflags))
            return null;
        JobserverAuth? found = null;
        foreach (string word in makeflags!.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries))
        {
            string? value = word.StartsWith("--jobserver-auth=", StringComparison.Ordinal) ? word.Substring("--jobserver-auth=".Length)
                : word.StartsWith("--jobserver-fds=", StringComparison.Ordinal) ? word.Substring("--jobserver-fds=".Length)
                : null;
            if (value is null)
                continue;
            found = Parse(value);
        }

        return found;
    }

    private static JobserverAuth? Parse(string value)
    {
        if (value.StartsWith("fifo:", StringComparison.Ordinal))
            return value.Length > "fifo:".Length ? new JobserverAuth(value.Substring("fifo:".Length), -1, -1) : null;
        string[] fds = value.Split(',');
        return fds.Length == 2
            && int.TryParse(fds[0], NumberStyles.None, CultureInfo.InvariantCulture, out int read)
            && int.TryParse(fds[1], NumberStyles.None, CultureInfo.InvariantCulture, out int write)
            ? new JobserverAuth(null, read, write)
            : null;
    }

    public override string ToString() => Fifo is not null ? "fifo:" + Fifo : $"{ReadFd},{WriteFd}";
}

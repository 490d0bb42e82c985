using Dtlto.Build.Engine.Caching;
using Microsoft.Build.Utilities;

namespace Dtlto.Build.Tasks;

/// <summary>The backend cache's warnings as MSBuild warnings, a code for each kind.</summary>
internal static class CacheWarnings
{
    public static string Code(CacheWarningKind kind) => kind switch
    {
        CacheWarningKind.NotWritable => "DTLTO3109",
        CacheWarningKind.DamagedEntry => "DTLTO3111",
        CacheWarningKind.Untrusted => "DTLTO3112",
        _ => "DTLTO3113",
    };

    public static void Log(TaskLoggingHelper log, CacheWarning warning) =>
        log.LogWarning(null, Code(warning.Kind), null, null, 0, 0, 0, 0, warning.Message);
}

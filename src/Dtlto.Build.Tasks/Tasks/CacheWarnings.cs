using Dtlto.Build.Engine.Caching;

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

    public static void Log(DtltoTask task, CacheWarning warning) => task.LogWarning(Code(warning.Kind), warning.Message);
}

namespace Dtlto.Build.Distributor;

/// <summary>The distributor's exit codes; lld only tells zero from non-zero, scripts may tell more.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>At least one backend compile failed.</summary>
    public const int JobsFailed = 1;

    /// <summary>Bad command line or unusable job list; nothing was run.</summary>
    public const int Usage = 2;

    /// <summary>The linker that started the distributor died; running compiles were killed.</summary>
    public const int ParentGone = 3;

    /// <summary>A fault of the program's own, said in one line (EX_SOFTWARE).</summary>
    public const int Internal = 70;

    /// <summary>Stopped by SIGINT/SIGTERM (or Ctrl+C); running compiles were killed.</summary>
    public const int Cancelled = 130;
}

namespace Dtlto.Build.Engine.Execution;

/// <summary>An executor that serves some jobs from a cache, and says how many, for the link's summary.</summary>
public interface IReportsCacheHits
{
    int CacheHits { get; }

    /// <summary>Anything else the summary should say of the executor (where jobs ran); empty for nothing.</summary>
    string Details { get; }
}

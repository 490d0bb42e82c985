namespace Dtlto.Build.Engine.Processes;

/// <summary>Where a backend job's result came from: what a link's summary counts and a user asks first of a wrong object.</summary>
public enum ResultOrigin
{
    /// <summary>A compile on this machine (also when it won a race with the farm, or the farm was not used).</summary>
    Here,

    /// <summary>This machine's backend cache (or a team's cache folder).</summary>
    LocalCache,

    /// <summary>A compile on the farm.</summary>
    Farm,

    /// <summary>The farm's action cache: no compile ran.</summary>
    FarmCache,
}

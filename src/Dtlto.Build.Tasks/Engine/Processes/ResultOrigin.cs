namespace Dtlto.Build.Engine.Processes;

/// <summary>
/// Where a backend job's result came from: what a link's summary counts, its timeline marks, and
/// a user asks first of a wrong object. <see cref="ResultOrigins.Place"/> folds the race and
/// fall-back cases into the four places.
/// </summary>
public enum ResultOrigin
{
    /// <summary>A compile on this machine, the farm not used.</summary>
    Here,

    /// <summary>A compile on this machine that finished before the farm's copy of the job.</summary>
    HereWonRace,

    /// <summary>A compile on this machine because the farm failed the job, stalled, or was down.</summary>
    HereAfterFarmFailure,

    /// <summary>This machine's backend cache (or a team's cache folder).</summary>
    LocalCache,

    /// <summary>A compile on the farm.</summary>
    Farm,

    /// <summary>A compile on the farm that finished before this machine's copy of the job.</summary>
    FarmWonRace,

    /// <summary>The farm's action cache: no compile ran.</summary>
    FarmCache,
}

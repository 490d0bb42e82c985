namespace Dtlto.Build.Engine.Processes;

/// <summary>What a <see cref="ResultOrigin"/> means to a reader: its place, and its words in the link's timeline.</summary>
public static class ResultOrigins
{
    /// <summary>The place alone: here, the local cache, the farm or the farm's cache.</summary>
    public static ResultOrigin Place(this ResultOrigin origin) => origin switch
    {
        ResultOrigin.HereWonRace or ResultOrigin.HereAfterFarmFailure => ResultOrigin.Here,
        ResultOrigin.FarmWonRace => ResultOrigin.Farm,
        _ => origin,
    };

    /// <summary>No process ran: the result came from a cache (this machine's or a farm's).</summary>
    public static bool IsCache(this ResultOrigin origin) => origin is ResultOrigin.LocalCache or ResultOrigin.FarmCache;

    /// <summary>Where the job ran, as the timeline says it.</summary>
    public static string Words(this ResultOrigin origin) => origin switch
    {
        ResultOrigin.HereWonRace => "here (won the race)",
        ResultOrigin.HereAfterFarmFailure => "here (the farm did not)",
        ResultOrigin.LocalCache => "local cache",
        ResultOrigin.Farm => "the farm",
        ResultOrigin.FarmWonRace => "the farm (won the race)",
        ResultOrigin.FarmCache => "action cache",
        _ => "here",
    };
}

namespace Dtlto.Build.Engine.Remote;

/// <summary>Where a remote action stands, as the link's status lines and stall errors count them.</summary>
internal enum FarmStage
{
    /// <summary>Not out on the farm: looked up, uploaded, or done.</summary>
    None,

    /// <summary>Waiting here for a place under the in-flight limit, or to retry after the farm pushed back.</summary>
    WaitingHere,

    /// <summary>Accepted by the farm, waiting for a worker.</summary>
    Queued,

    /// <summary>Running on a worker.</summary>
    Executing,

    /// <summary>Its inputs going to the server.</summary>
    Uploading,

    /// <summary>Its outputs coming back from the server.</summary>
    Downloading,
}

/// <summary>The stage of one action, moved only by that action's own flow (see <see cref="FarmWatch.Move"/>).</summary>
internal sealed class FarmStageCell
{
    public FarmStage Value { get; set; }
}

namespace Dtlto.Build.Engine.Execution;

public enum JobStatus
{
    /// <summary>The job ran, exited 0 and wrote every declared output.</summary>
    Succeeded,

    /// <summary>The job ran and failed, or it exited 0 without writing its outputs.</summary>
    Failed,

    /// <summary>The job was stopped, or never started, because of a failure elsewhere or a cancellation.</summary>
    NotCompleted,
}

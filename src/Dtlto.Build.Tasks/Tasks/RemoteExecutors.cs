using System;
using System.IO;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
#if DTLTO_REMOTE
using Dtlto.Build.Engine.Remote;
#endif

namespace Dtlto.Build.Tasks;

/// <summary>
/// The executor DtltoBackendCompile runs its jobs with: local, or the Remote Execution API
/// executor when DtltoRemoteEndpoint is set. The remote executor exists in the net8.0 task
/// assembly only (gRPC on .NET Framework needs Windows' HTTP/2 stack); under Visual Studio's
/// MSBuild.exe the task runs remote batches in dtlto-distributor instead (<see cref="RemoteBatchProcess"/>).
/// </summary>
internal static class RemoteExecutors
{
#if DTLTO_REMOTE
    /// <summary>Whether this task assembly can run remote batches itself.</summary>
    public const bool InProcess = true;
#else
    public const bool InProcess = false;
#endif

    /// <param name="localParallelism">The cores this build granted, for compiles that run here.</param>
    /// <param name="remoteParallelism">Actions in flight at once; 0 when the executor is local.</param>
    /// <param name="digests">The link's file digests, shared with its cache; null for new ones.</param>
    public static bool TryCreate(DtltoBackendCompile task, RemoteBatchSettings? settings, JobList jobList, int localParallelism, Engine.Caching.FileHasher? digests, out IBackendExecutor executor, out int remoteParallelism)
    {
        executor = new LocalExecutor();
        remoteParallelism = 0;
        if (settings is null)
            return true;
#if DTLTO_REMOTE
        try
        {
            RemoteConfiguration configuration = settings.ToConfiguration(localParallelism);
            var remote = RemoteExecutor.Create(
                configuration,
                jobList,
                message => task.LogWarning("DTLTO3107", message),
                message => task.Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High, message),
                digests);
            executor = remote;
            remoteParallelism = remote.Parallelism;
            return true;
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            task.LogError("DTLTO3106", $"remote execution cannot start: {e.Message}");
            return false;
        }
#else
        // Not reached: DtltoBackendCompile sends remote batches to dtlto-distributor on .NET Framework.
        task.LogError("DTLTO3106", "remote execution runs in dtlto-distributor under this MSBuild");
        return false;
#endif
    }

}

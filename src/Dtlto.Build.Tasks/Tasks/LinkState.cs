using System;
using System.Collections.Generic;
using Dtlto.Build.Engine.Caching;
using Dtlto.Build.Engine.Execution;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Linking;
using Dtlto.Build.Engine.Tracing;
using Microsoft.Build.Framework;

namespace Dtlto.Build.Tasks;

/// <summary>
/// One DTLTO link's state in the build, from DtltoThinLink to DtltoFinalLink: lld's session, the
/// job list as lld wrote it, the backend cache's look-ups and the results they served when lld
/// handed the list over, the link's file digests and its timeline. The link's tasks find it by the link's id;
/// the <c>@(DtltoBackendJob)</c> items carry only what a build hooks, and whatever else a
/// task needs of the link it takes from here.
/// </summary>
internal sealed class LinkState : IDisposable
{
    private const RegisteredTaskObjectLifetime Lifetime = RegisteredTaskObjectLifetime.Build;

    /// <param name="digests">The link's file digests; null when nothing of the link hashes files (no cache).</param>
    public LinkState(ThinLinkSession session, JobList jobList, FileHasher? digests)
    {
        Session = session;
        JobList = jobList;
        Digests = digests;
        Trace.AddPhase("thin link", session.Started, session.JobListArrived ?? DateTime.UtcNow);
    }

    /// <summary>lld, waiting on the pipe for the backend compiles' verdict.</summary>
    public ThinLinkSession Session { get; }

    /// <summary>The job list lld handed over.</summary>
    public JobList JobList { get; }

    /// <summary>The link's file digests, for its cache keys and its farm's actions; null for none.</summary>
    public FileHasher? Digests { get; }

    /// <summary>The link's timeline; each phase adds to it, and the final link writes it out.</summary>
    public LinkTrace Trace { get; } = new();

    /// <summary>The backend cache's look-ups of this link: the batch goes on from them (the misses' keys, the served objects).</summary>
    public BackendCacheLookup? CacheLookup { get; set; }

    /// <summary>Jobs served from the backend cache as soon as the job list arrived; the batch runs the others.</summary>
    public IReadOnlyList<JobResult> ServedFromCache { get; set; } = Array.Empty<JobResult>();

    /// <summary>Keeps the link for the build's later tasks under a new id, which it returns.</summary>
    public string Register(IBuildEngine4 engine)
    {
        string id = "Dtlto.Build.Link:" + Guid.NewGuid().ToString("N");
        engine.RegisterTaskObject(id, this, Lifetime, allowEarlyCollection: false);
        return id;
    }

    /// <summary>The link of <paramref name="id"/>, left registered; null when there is none (a split link, or another build's id).</summary>
    public static LinkState? Find(IBuildEngine4 engine, string? id) =>
        string.IsNullOrEmpty(id) ? null : engine.GetRegisteredTaskObject(id, Lifetime) as LinkState;

    /// <summary>The link of <paramref name="id"/>, taken from the build: the caller ends it.</summary>
    public static LinkState? Take(IBuildEngine4 engine, string id) => engine.UnregisterTaskObject(id, Lifetime) as LinkState;

    /// <summary>Ends lld's session (killing a link that did not complete) and keeps the digests learnt.</summary>
    public void Dispose()
    {
        Session.Dispose();
        Digests?.Save();
    }
}

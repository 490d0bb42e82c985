using System.Collections.Generic;
using Dtlto.Build.Engine.Verification;

namespace Dtlto.Build.Engine.Caching;

/// <summary>
/// What is wrong with a job's objects restored from a cache entry, each still at the temporary
/// its output's name maps to in <paramref name="placed"/>; null when nothing is. The cache asks
/// it before it renames anything into place (the job's <see cref="JobObjectCheck"/>).
/// </summary>
public delegate ObjectProblem? RestoredObjectCheck(IReadOnlyDictionary<string, string> placed);

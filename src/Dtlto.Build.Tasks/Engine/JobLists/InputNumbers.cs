using System;
using System.Collections.Generic;

namespace Dtlto.Build.Engine.JobLists;

/// <summary>
/// A job list's distinct input files numbered from 0, and each job's inputs by those numbers. A
/// module imported by hundreds of jobs is then found, in what is kept about it for the link (its
/// stable name, its blob), by reading an array instead of looking its path up in a table: a list
/// of 10,000 jobs names 650,000 inputs, and those look-ups were a tenth of the farm client's work.
/// </summary>
internal sealed class InputNumbers
{
    private readonly IReadOnlyList<string>?[] _numbered;
    private readonly int[][] _byJob;

    /// <param name="byJob">Each job's inputs by number, by the job's index.</param>
    /// <param name="numbered">The input list each entry of <paramref name="byJob"/> numbers.</param>
    private InputNumbers(int count, int[] common, int[][] byJob, IReadOnlyList<string>?[] numbered)
    {
        Count = count;
        Common = common;
        _byJob = byJob;
        _numbered = numbered;
    }

    /// <summary>How many distinct input files the list names.</summary>
    public int Count { get; }

    /// <summary>The numbers of <see cref="JobList.CommonInputs"/>.</summary>
    public int[] Common { get; }

    /// <summary>The numbers of a job's <see cref="BackendJob.Inputs"/>, or null for a job not of this list.</summary>
    public int[]? Of(BackendJob job) =>
        job.Index >= 0 && job.Index < _byJob.Length && ReferenceEquals(_numbered[job.Index], job.Inputs) ? _byJob[job.Index] : null;

    /// <summary>Numbers the inputs of a list's jobs and its common inputs.</summary>
    public static InputNumbers For(IReadOnlyList<string> commonInputs, IReadOnlyList<BackendJob> jobs)
    {
        var numbering = new Numbering();
        int[] common = numbering.Of(commonInputs);
        int slots = 0;
        foreach (BackendJob job in jobs)
            slots = Math.Max(slots, job.Index + 1);
        var byJob = new int[slots][];
        var numbered = new IReadOnlyList<string>?[slots];
        foreach (BackendJob job in jobs)
        {
            byJob[job.Index] = numbering.Of(job.Inputs);
            numbered[job.Index] = job.Inputs;
        }

        return new InputNumbers(numbering.Count, common, byJob, numbered);
    }

    /// <summary>Numbers given as a list is read (where each path is looked up once anyway): <paramref name="byJob"/> in the order of <paramref name="jobs"/>.</summary>
    internal static InputNumbers From(int count, int[] common, IReadOnlyList<BackendJob> jobs, IReadOnlyList<int[]> byJob)
    {
        var numbered = new IReadOnlyList<string>?[jobs.Count];
        var numbers = new int[jobs.Count][];
        for (int i = 0; i < jobs.Count; i++)
        {
            numbered[jobs[i].Index] = jobs[i].Inputs;
            numbers[jobs[i].Index] = byJob[i];
        }

        return new InputNumbers(count, common, numbers, numbered);
    }

    /// <summary>Paths numbered in the order first seen.</summary>
    private sealed class Numbering
    {
        private readonly Dictionary<string, int> _numbers = new(StringComparer.Ordinal);

        public int Count => _numbers.Count;

        public int Of(string path)
        {
            if (!_numbers.TryGetValue(path, out int number))
                _numbers[path] = number = _numbers.Count;
            return number;
        }

        public int[] Of(IReadOnlyList<string> paths)
        {
            var numbers = new int[paths.Count];
            for (int i = 0; i < numbers.Length; i++)
                numbers[i] = Of(paths[i]);
            return numbers;
        }
    }
}

namespace Dtlto.Build.Engine.Verification;

/// <summary>What is wrong with an object file, found by <see cref="ObjectVerifier"/>.</summary>
public sealed class ObjectProblem
{
    private ObjectProblem(ObjectProblemKind kind, string reason)
    {
        Kind = kind;
        Reason = reason;
    }

    public ObjectProblemKind Kind { get; }

    /// <summary>The defect in words, e.g. "section 4 (.text) ends past the end of the file".</summary>
    public string Reason { get; }

    internal static ObjectProblem Missing { get; } = new(ObjectProblemKind.Missing, "the file does not exist");

    internal static ObjectProblem Empty { get; } = new(ObjectProblemKind.Empty, "the file is empty");

    internal static ObjectProblem Truncated(string reason) => new(ObjectProblemKind.Truncated, reason);

    internal static ObjectProblem Invalid(string reason) => new(ObjectProblemKind.Invalid, reason);

    /// <summary>The problem as what a compiler did to <paramref name="output"/>: "did not write 'm.o'", "wrote a truncated 'm.o' (...)".</summary>
    public string AsWrittenBy(string output) => Kind switch
    {
        ObjectProblemKind.Missing => $"did not write '{output}'",
        ObjectProblemKind.Empty => $"wrote an empty '{output}'",
        ObjectProblemKind.Truncated => $"wrote a truncated '{output}' ({Reason})",
        _ => $"wrote '{output}', which is not a valid object: {Reason}",
    };

    /// <summary>The problem as a sentence about a file received from elsewhere (a cache, a farm).</summary>
    public override string ToString() => Kind switch
    {
        ObjectProblemKind.Missing => "it is missing",
        ObjectProblemKind.Empty => "it is empty",
        ObjectProblemKind.Truncated => "it is truncated: " + Reason,
        _ => "it is not a valid object: " + Reason,
    };
}

public enum ObjectProblemKind
{
    Missing,
    Empty,

    /// <summary>A table or section the header names ends past the end of the file: a write that stopped early.</summary>
    Truncated,

    /// <summary>Not an object of the target, or one whose tables contradict each other.</summary>
    Invalid,
}

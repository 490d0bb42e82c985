using System.Collections.Generic;
using System.Linq;
using Dtlto.Build.Engine.Linking;

namespace Dtlto.Build.Engine.SplitLinking;

/// <summary>
/// The inputs of a split-mode link, in the project's order, for its two lld runs: the thin link
/// sees the bitcode, the final link the native objects compiled from it. A static library with
/// bitcode members becomes a lazy group of its members, so that both links load the same
/// members an archive would.
/// </summary>
public static class SplitFinalLinkInputs
{
    /// <summary>One argument of a link command: a file (relative to where lld runs) or a linker option.</summary>
    public readonly struct Argument
    {
        public Argument(string text, bool isFile)
        {
            Text = text;
            IsFile = isFile;
        }

        public string Text { get; }

        public bool IsFile { get; }
    }

    public static IReadOnlyList<Argument> ForThinLink(LinkerFlavor flavor, IEnumerable<SplitLinkInput> inputs) =>
        Expand(flavor, inputs, file => file);

    /// <param name="nativeObjects">Module path to its native object; bitcode not in it was not loaded by the thin link and is left out.</param>
    public static IReadOnlyList<Argument> ForFinalLink(LinkerFlavor flavor, IEnumerable<SplitLinkInput> inputs, IReadOnlyDictionary<string, string> nativeObjects, System.Func<string, bool> isBitcode) =>
        Expand(flavor, inputs, file => nativeObjects.TryGetValue(file.Replace('\\', '/'), out string? native) ? native : isBitcode(file) ? null : file);

    private static List<Argument> Expand(LinkerFlavor flavor, IEnumerable<SplitLinkInput> inputs, System.Func<string, string?> map)
    {
        var arguments = new List<Argument>();
        foreach (SplitLinkInput input in inputs)
        {
            if (input.Members is null)
            {
                string? file = map(input.Path);
                if (file is not null)
                    arguments.Add(new Argument(file, isFile: true));
                continue;
            }

            arguments.AddRange(SplitLinkFlags.StartLazyGroup(flavor).Select(o => new Argument(o, isFile: false)));
            foreach (string member in input.Members)
            {
                string? file = map(member);
                if (file is not null)
                    arguments.Add(new Argument(file, isFile: true));
            }

            arguments.AddRange(SplitLinkFlags.EndLazyGroup(flavor).Select(o => new Argument(o, isFile: false)));
        }

        return arguments;
    }
}

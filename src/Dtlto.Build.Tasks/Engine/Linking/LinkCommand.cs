using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Dtlto.Build.Engine.Linking;

/// <summary>
/// The clang driver command of a native link: inputs in the order given (the order matters to
/// archive resolution), then library directories, libraries and options.
/// </summary>
public static class LinkCommand
{
    /// <param name="libraries">
    /// Names such as <c>m</c> become <c>-lm</c>; anything that looks like a file (a directory
    /// separator or a .a/.so/.o/.lib extension) is passed as a path.
    /// </param>
    public static List<string> Build(
        string driver,
        IEnumerable<string> inputs,
        IEnumerable<string> libraryDirectories,
        IEnumerable<string> libraries,
        IEnumerable<string> options,
        string output)
    {
        var command = new List<string> { driver };
        command.AddRange(options);
        command.AddRange(inputs);
        command.AddRange(libraryDirectories.Select(directory => "-L" + directory));
        command.AddRange(libraries.Select(library => IsFile(library) ? library : "-l" + library));
        command.Add("-o");
        command.Add(output);
        return command;
    }

    private static bool IsFile(string library) =>
        library.IndexOf('/') >= 0 || library.IndexOf('\\') >= 0
        || Path.GetExtension(library) is ".a" or ".so" or ".o" or ".lib" or ".obj" or ".dylib"
        || library.Contains(".so.");
}

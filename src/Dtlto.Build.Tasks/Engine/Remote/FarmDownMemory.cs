using System;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using Dtlto.Build.Engine.FileSystem;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// That a server could not be used, remembered for a while in the user's cache folder, so that
/// the links that follow (in this process or another) do not wait for it again: they compile
/// here at once and check the server in the background. A link that reaches it forgets.
/// </summary>
internal sealed class FarmDownMemory
{
    private readonly string _file;
    private readonly TimeSpan _period;

    public FarmDownMemory(string folder, RemoteSettings settings, TimeSpan period)
    {
        using var sha = SHA256.Create();
        byte[] key = sha.ComputeHash(Encoding.UTF8.GetBytes(settings.Endpoint + "\n" + settings.InstanceName));
        _file = Path.Combine(folder, "remote", "down-" + BitConverter.ToString(key, 0, 8).Replace("-", "").ToLowerInvariant());
        _period = period;
    }

    public string File => _file;

    /// <summary>When the server was last found down, and why; null when it was not, or long enough ago to try again.</summary>
    public (DateTime When, string Why)? Recall()
    {
        try
        {
            string[] lines = System.IO.File.ReadAllLines(_file);
            if (lines.Length >= 2 && DateTime.TryParse(lines[0], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime when)
                && DateTime.UtcNow - when < _period && when <= DateTime.UtcNow + TimeSpan.FromMinutes(1))
                return (when, lines[1]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>Remembers that the server is down now; a folder that cannot be written only costs the memory.</summary>
    public void Remember(string why)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
            string text = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture) + "\n" + why.Replace('\n', ' ') + "\n";
            string temporary = _file + "." + Guid.NewGuid().ToString("N") + ".tmp";
            System.IO.File.WriteAllText(temporary, text);
            AtomicRename.Over(temporary, _file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    public void Forget() => QuietDelete.File(_file);
}

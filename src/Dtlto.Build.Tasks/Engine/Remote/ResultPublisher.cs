using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Dtlto.Build.Engine.Remote.Protocol;

namespace Dtlto.Build.Engine.Remote;

/// <summary>
/// Puts results compiled here into the farm's action cache (its outputs into the CAS, then
/// UpdateActionResult), so the next link of anyone on the team finds them: every compile in
/// cache-only mode, and in execute mode every race this machine won, since most servers do not
/// finish an action whose client cancelled it. Only whole, checked results get here. Nothing is
/// published when uploads are off (<see cref="RemoteSettings.Upload"/>: a read-only client) or
/// the server does not take results from clients; the summary says how many stayed local.
/// </summary>
internal sealed class ResultPublisher
{
    private readonly RemoteSettings _settings;
    private readonly RemoteConnection _connection;
    private readonly RemoteRetry _retry;
    private readonly RemoteCas _cas;
    private readonly Action<string> _warn;
    private readonly List<Task> _pending = new();
    private int _published;
    private int _stayedLocal;
    private int _failed;
    private int _warned;

    public ResultPublisher(RemoteSettings settings, RemoteConnection connection, RemoteRetry retry, RemoteCas cas, Action<string> warn)
    {
        _settings = settings;
        _connection = connection;
        _retry = retry;
        _cas = cas;
        _warn = warn;
    }

    /// <summary>Whether the server takes results from clients (ActionCacheUpdateCapabilities), as it said when the link connected.</summary>
    public bool ServerAccepts { get; set; }

    private bool Publishing => _settings.Upload && ServerAccepts;

    /// <summary>"3 results stayed local (...)", or empty when every result compiled here was published.</summary>
    public string Describe()
    {
        int local = Volatile.Read(ref _stayedLocal) + Volatile.Read(ref _failed);
        if (local == 0)
            return "";
        string why = !_settings.Upload ? "uploads are off" : !ServerAccepts ? "the server takes no results from clients" : $"{Volatile.Read(ref _failed)} uploads failed";
        return $"{local} results compiled here stayed local ({why})";
    }

    /// <summary>Results put in the action cache.</summary>
    public int Published => Volatile.Read(ref _published);

    /// <summary>Publishes a result now, for cache-only mode, where the next job waits for nothing else.</summary>
    public Task PublishAsync(RemoteAction action, string output, CancellationToken cancellationToken)
    {
        if (!Publishing)
        {
            Interlocked.Increment(ref _stayedLocal);
            return Task.CompletedTask;
        }

        return UploadAsync(action, output, cancellationToken);
    }

    /// <summary>Publishes a race won here beside the rest of the link, off its critical path; <see cref="Drain"/> waits for it.</summary>
    public void PublishInBackground(RemoteAction action, string output)
    {
        if (!Publishing)
        {
            Interlocked.Increment(ref _stayedLocal);
            return;
        }

        lock (_pending)
            _pending.Add(Task.Run(() => UploadAsync(action, output, CancellationToken.None)));
    }

    /// <summary>Waits for the uploads still going on (each bounded by its calls' deadlines): the link's objects must stay until they are read.</summary>
    public void Drain()
    {
        Task[] pending;
        lock (_pending)
            pending = _pending.ToArray();
        // Each upload says its own failure; waiting must not throw it again.
        Task.WhenAll(pending).ContinueWith(_ => { }, TaskScheduler.Default).Wait();
    }

    private async Task UploadAsync(RemoteAction action, string output, CancellationToken cancellationToken)
    {
        try
        {
            var result = new ActionResult { ExitCode = 0 };
            var blobs = new List<Blob> { action.CommandBlob, action.ActionBlob };
            foreach (var file in action.Outputs)
            {
                Blob blob = Blob.FromFile(file.Value, digests: null);
                blobs.Add(blob);
                result.OutputFiles.Add(new OutputFile { Path = file.Key, Digest = blob.Digest });
            }

            if (output.Length > 0)
            {
                Blob text = Blob.FromBytes(Encoding.UTF8.GetBytes(output));
                blobs.Add(text);
                result.StdoutDigest = text.Digest;
            }

            await _cas.UploadAsync(blobs, cancellationToken).ConfigureAwait(false);
            var request = new UpdateActionResultRequest { InstanceName = _settings.InstanceName, ActionDigest = action.Digest, ActionResult = result, DigestFunction = DigestFunction.Types.Value.Sha256 };
            await _retry.RunAsync(
                () => _connection.UnaryAsync("UpdateActionResult", options => _connection.ActionCache.UpdateActionResultAsync(request, options), _connection.ShortCall, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _published);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Publishing is a courtesy to the next link: whatever stops it, the object is built and
            // only the cache missed out. Said once for the link.
            Interlocked.Increment(ref _failed);
            if (Interlocked.Exchange(ref _warned, 1) == 0)
                _warn($"could not store the result of {Path.GetFileName(action.Outputs.Values.First())} in the remote cache: {e.Message}");
        }
    }
}

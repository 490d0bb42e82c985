using System.Collections.Generic;
using System.Linq;
using Dtlto.Build.Engine.Remote.Protocol;

namespace Dtlto.Build.Engine.Remote;

/// <summary>One backend job as a Remote Execution API action, with what it takes to send it and to bring its outputs back.</summary>
internal sealed class RemoteAction
{
    public RemoteAction(Action action, Command command, IReadOnlyList<Blob> inputBlobs, Blob commandBlob, Blob actionBlob, IReadOnlyDictionary<string, string> outputs)
    {
        Action = action;
        Command = command;
        CommandBlob = commandBlob;
        ActionBlob = actionBlob;
        Blobs = inputBlobs.Concat(new[] { commandBlob, actionBlob }).ToList();
        Outputs = outputs;
        Digest = actionBlob.Digest;
    }

    public Action Action { get; }

    public Command Command { get; }

    public Blob CommandBlob { get; }

    public Blob ActionBlob { get; }

    /// <summary>Every blob the action needs in the CAS: the input tree, the Command and the Action.</summary>
    public IReadOnlyList<Blob> Blobs { get; }

    /// <summary>The action's output paths (relative to its working directory) and the local files they become.</summary>
    public IReadOnlyDictionary<string, string> Outputs { get; }

    public Digest Digest { get; }
}

using System;
using System.IO;
using System.Linq;
using System.Text;
using Dtlto.Build.Engine.Caching;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Remote;
using Dtlto.Build.Engine.Remote.Protocol;
using Dtlto.Build.Tests.Support;
using Google.Protobuf;
using Microsoft.VisualStudio.TestTools.UnitTesting;
using ProtocolDirectory = Dtlto.Build.Engine.Remote.Protocol.Directory;

namespace Dtlto.Build.Tests.Remote;

/// <summary>How a backend job becomes an action: cacheable across links and checkouts, faithful to the job.</summary>
[TestClass]
public sealed class RemoteActionBuilderTests
{
    private static readonly RemoteSettings Settings = new(new Uri("http://127.0.0.1:1"));

    /// <summary>A checkout with a job like lld writes one: PID-named shard and object next to the output in ../bin.</summary>
    private static (JobList List, BackendJob Job) WriteJob(TestDirectory checkout, string pid, string compiler)
    {
        checkout.Write("obj/main.o", "main bitcode");
        checkout.Write("obj/util.o", "util bitcode");
        checkout.Write("bin/extracted.o", "archive member bitcode");
        checkout.Write($"bin/main.1.{pid}.native.o.thinlto.bc", "index shard");
        checkout.Write("obj/profile.txt", "sample profile");
        string shard = $"../bin/main.1.{pid}.native.o.thinlto.bc";
        string output = $"../bin/main.1.{pid}.native.o";
        var job = new BackendJob(0, new[] { "main.o", "-fthinlto-index=" + shard, "-o", output }, new[] { "main.o", shard, "util.o", "../bin/extracted.o" }, new[] { output });
        var list = new JobList("../bin/app", new[] { compiler, "-c", "-O2", "-fprofile-sample-use=profile.txt" }, new[] { "profile.txt" }, new[] { job }, checkout.File("obj"));
        return (list, job);
    }

    private static string Compiler(TestDirectory dir, string content = "clang 22") => dir.Write("llvm/bin/clang", content);

    [TestMethod]
    public void TheSameJobFromAnotherCheckoutAndAnotherLldProcessIsTheSameAction()
    {
        using var llvm = new TestDirectory("-llvm");
        using var first = new TestDirectory();
        using var second = new TestDirectory("-other");
        string compiler = Compiler(llvm);
        (JobList list1, BackendJob job1) = WriteJob(first, "1234", compiler);
        (JobList list2, BackendJob job2) = WriteJob(second, "98765", compiler);

        RemoteAction one = new RemoteActionBuilder(Settings, list1.CommonArgs[0], null, FileHasher.ForOneLink()).Build(list1, job1).Action!;
        RemoteAction two = new RemoteActionBuilder(Settings, list2.CommonArgs[0], null, FileHasher.ForOneLink()).Build(list2, job2).Action!;

        CollectionAssert.AreEqual(one.Command.Arguments.Skip(1).ToList(), two.Command.Arguments.Skip(1).ToList());
        Assert.AreEqual(one.Action.InputRootDigest, two.Action.InputRootDigest);
        Assert.AreEqual(one.Digest, two.Digest, "nothing of the checkout path or lld's process id is in the action");
    }

    [TestMethod]
    public void TheWorkingDirectoryIsDeepEnoughForImportsAboveItAndTheCommandNamesStableFiles()
    {
        using var dir = new TestDirectory();
        (JobList list, BackendJob job) = WriteJob(dir, "1234", Compiler(dir));

        RemoteAction action = new RemoteActionBuilder(Settings, list.CommonArgs[0], null, FileHasher.ForOneLink()).Build(list, job).Action!;

        Assert.AreEqual("obj", action.Command.WorkingDirectory, "one '../' deep: the last folder of lld's");
        CollectionAssert.AreEqual(
            new[] { list.CommonArgs[0], "-c", "-O2", "-fprofile-sample-use=profile.txt", "main.o", "-fthinlto-index=.dtlto/main.o.thinlto.bc", "-o", ".dtlto/main.o.native.o" },
            action.Command.Arguments.ToList());
        CollectionAssert.AreEqual(new[] { ".dtlto/main.o.native.o" }, action.Command.OutputPaths.ToList());
        CollectionAssert.AreEqual(new[] { ".dtlto/main.o.native.o" }, action.Outputs.Keys.ToList());
        Assert.AreEqual(dir.File("bin/main.1.1234.native.o"), action.Outputs.Values.Single());
        string[] files = Files(action, action.Action.InputRootDigest, "").OrderBy(f => f).ToArray();
        CollectionAssert.AreEqual(new[] { "bin/extracted.o", "obj/.dtlto/main.o.thinlto.bc", "obj/main.o", "obj/profile.txt", "obj/util.o" }, files);
    }

    [TestMethod]
    public void TheCompilersContentIsTheSaltAndPlatformPropertiesAreSorted()
    {
        using var dir = new TestDirectory();
        (JobList list, BackendJob job) = WriteJob(dir, "1", Compiler(dir, "clang 22"));
        var settings = new RemoteSettings(new Uri("http://127.0.0.1:1")) { Platform = RemoteSettings.ParsePlatform(new[] { "OSFamily=Linux", "ISA=x86-64", "container-image=docker://llvm:22" }) };

        RemoteAction first = new RemoteActionBuilder(settings, list.CommonArgs[0], null, FileHasher.ForOneLink()).Build(list, job).Action!;
        File.WriteAllText(list.CommonArgs[0], "clang 21, another build");
        RemoteAction other = new RemoteActionBuilder(settings, list.CommonArgs[0], null, FileHasher.ForOneLink()).Build(list, job).Action!;

        Assert.AreNotEqual(first.Digest, other.Digest, "results of different compilers never mix");
        StringAssert.StartsWith(first.Action.Salt.ToStringUtf8(), "compiler:");
        CollectionAssert.AreEqual(new[] { "ISA", "OSFamily", "container-image" }, first.Action.Platform.Properties.Select(p => p.Name).ToList());
        Assert.AreEqual(first.Action.Platform, first.Command.Platform, "in the Command too, for servers older than API 2.2");
    }

    [TestMethod]
    public void AJobWithAnAbsoluteInputRunsLocallyAndSaysWhy()
    {
        using var dir = new TestDirectory();
        (JobList list, BackendJob job) = WriteJob(dir, "1", Compiler(dir));
        var absolute = new BackendJob(0, job.Args, new[] { dir.File("obj/main.o"), job.IndexShard }, job.Outputs);

        (RemoteAction? action, string? reason) = new RemoteActionBuilder(Settings, list.CommonArgs[0], null, FileHasher.ForOneLink()).Build(list, absolute);

        Assert.IsNull(action);
        StringAssert.Contains(reason, "is an absolute path, which a worker does not have");
    }

    [TestMethod]
    public void InputTreesAreCanonical()
    {
        using var dir = new TestDirectory();
        string a = dir.Write("a", "A");
        string b = dir.Write("b", "B");
        var forward = new Engine.Remote.InputTree();
        forward.Add("x/b", Engine.Remote.Blob.FromFile(b, FileHasher.ForOneLink()));
        forward.Add("x/a", Engine.Remote.Blob.FromFile(a, FileHasher.ForOneLink()));
        forward.Add("top", Engine.Remote.Blob.FromFile(a, FileHasher.ForOneLink()), executable: true);
        var backward = new Engine.Remote.InputTree();
        backward.Add("top", Engine.Remote.Blob.FromFile(a, FileHasher.ForOneLink()), executable: true);
        backward.Add("x/a", Engine.Remote.Blob.FromFile(a, FileHasher.ForOneLink()));
        backward.Add("x/b", Engine.Remote.Blob.FromFile(b, FileHasher.ForOneLink()));

        Assert.AreEqual(forward.Build().Root, backward.Build().Root, "the order files are added in does not matter");
        Assert.AreEqual("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", new Engine.Remote.InputTree().Build().Root.Hash, "an empty Directory is the digest of no bytes");
        Assert.ThrowsExactly<ArgumentException>(() => forward.Add("x/a", Engine.Remote.Blob.FromFile(b, FileHasher.ForOneLink())));
        Assert.ThrowsExactly<ArgumentException>(() => forward.Add("../up", Engine.Remote.Blob.FromFile(b, FileHasher.ForOneLink())));
    }

    [TestMethod]
    public void EachDirectoryOfAnInputRootIsTheMessageGoogleProtobufWrites()
    {
        using var dir = new TestDirectory();
        FileHasher digests = FileHasher.ForOneLink();
        Engine.Remote.Blob Content(string text) => Engine.Remote.Blob.FromFile(dir.Write("content-" + text.GetHashCode(StringComparison.Ordinal), text), digests);
        var tree = new Engine.Remote.InputTree();
        // Names whose entries pass 127 bytes (a two-byte length), names past ASCII, ordinal order
        // ("B" before "a"), an executable, a file shared through one encoded entry, and folders at several depths.
        string longName = new('n', 200);
        var shared = new Engine.Remote.FileEntry("shared.o", Content("shared"), executable: false);
        tree.Add(new[] { "work", "obj", "shared.o" }, shared);
        tree.Add(new[] { "work", "lib", "shared.o" }, shared);
        tree.Add("work/obj/a.o", Content("a"));
        tree.Add("work/obj/B.o", Content("B"));
        tree.Add("work/obj/" + longName, Content("long"));
        tree.Add("work/obj/mödül.o", Content("ü"));
        tree.Add("work/bin/clang", Content("compiler"), executable: true);
        tree.Add("top", Content("top"));
        for (int i = 0; i < 40; i++)
            tree.Add($"work/many/m{i}.o", Content("m" + i));

        (Digest root, var blobs) = tree.Build();

        var directories = blobs.Where(b => b.File is null).ToList();
        Assert.HasCount(6, directories, "the root, work, obj, lib, bin and many");
        foreach (Engine.Remote.Blob blob in directories)
        {
            byte[] bytes = blob.ReadAll();
            ProtocolDirectory message = ProtocolDirectory.Parser.ParseFrom(bytes);
            CollectionAssert.AreEqual(message.ToByteArray(), bytes, "the Directory's bytes are the canonical encoding of what they say");
            CollectionAssert.AreEqual(message.Files.Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal).ToList(), message.Files.Select(f => f.Name).ToList(), "files sorted by name");
            CollectionAssert.AreEqual(message.Directories.Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal).ToList(), message.Directories.Select(f => f.Name).ToList(), "folders sorted by name");
        }

        ProtocolDirectory top = ProtocolDirectory.Parser.ParseFrom(directories.Single(d => d.Digest.Equals(root)).ReadAll());
        Assert.AreEqual("top", top.Files.Single().Name);
        Assert.AreEqual("work", top.Directories.Single().Name);
        ProtocolDirectory Folder(ProtocolDirectory parent, string name) =>
            ProtocolDirectory.Parser.ParseFrom(directories.Single(d => d.Digest.Equals(parent.Directories.Single(n => n.Name == name).Digest)).ReadAll());
        ProtocolDirectory work = Folder(top, "work");
        CollectionAssert.AreEqual(new[] { "bin", "lib", "many", "obj" }, work.Directories.Select(d => d.Name).ToList());
        CollectionAssert.AreEqual(new[] { "B.o", "a.o", "mödül.o", longName, "shared.o" }, Folder(work, "obj").Files.Select(f => f.Name).ToList());
        Assert.IsTrue(Folder(work, "bin").Files.Single().IsExecutable);
        Assert.IsFalse(Folder(work, "obj").Files.Any(f => f.IsExecutable));
        Assert.AreEqual(shared.Content.Digest, Folder(work, "lib").Files.Single().Digest);
        Assert.HasCount(40, Folder(work, "many").Files);
        Assert.ThrowsExactly<ArgumentException>(() => tree.Add(new[] { "work", "other.o" }, shared), "an entry goes only where its name is");
    }

    [TestMethod]
    [DataRow("grpc://farm:8980", "http://farm:8980/")]
    [DataRow("grpcs://farm", "https://farm/")]
    [DataRow("https://farm.example/", "https://farm.example/")]
    public void ServerAddressesAreReadAsTheirSchemeSays(string text, string expected) =>
        Assert.AreEqual(expected, RemoteSettings.ParseEndpoint(text).ToString());

    [TestMethod]
    [DataRow("farm:8980", "is not a server address")]
    [DataRow("ftp://farm", "the scheme must be grpc, grpcs, http or https")]
    public void BadServerAddressesSayWhatIsWrong(string text, string message) =>
        StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => RemoteSettings.ParseEndpoint(text)).Message, message);

    /// <summary>Every file path in an input tree the action's blobs hold.</summary>
    private static string[] Files(RemoteAction action, Digest directoryDigest, string prefix)
    {
        Engine.Remote.Blob blob = action.Blobs.First(b => b.Digest.Equals(directoryDigest));
        ProtocolDirectory directory = ProtocolDirectory.Parser.ParseFrom(blob.ReadAll());
        return directory.Files.Select(f => prefix + f.Name)
            .Concat(directory.Directories.SelectMany(d => Files(action, d.Digest, prefix + d.Name + "/")))
            .ToArray();
    }
}

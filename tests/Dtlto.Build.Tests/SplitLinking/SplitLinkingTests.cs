using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dtlto.Build.Engine.FileSystem;
using Dtlto.Build.Engine.JobLists;
using Dtlto.Build.Engine.Linking;
using Dtlto.Build.Engine.SplitLinking;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.SplitLinking;

/// <summary>
/// The split-mode engine on files written by the tests: what it reads of an index-only thin
/// link, the jobs it builds, and the final link's inputs. The SDK tests run it with real lld.
/// </summary>
[TestClass]
public sealed class SplitLinkingTests
{
    private static readonly SplitLinkLayout Layout = new("/work/obj", "app.dtlto");

    [TestMethod]
    public void AShardIsReplacedOnlyWhenItsContentChanges()
    {
        using var directory = new TestDirectory();
        string staged = directory.Write("staged.bc", "index one");
        string published = directory.File("index/published.bc");

        Assert.IsTrue(ContentReplace.IfDifferent(staged, published), "a new shard is published");
        DateTime old = DateTime.UtcNow.AddHours(-1);
        File.SetLastWriteTimeUtc(published, old);
        Assert.IsFalse(ContentReplace.IfDifferent(staged, published), "the same content is left alone");
        Assert.AreEqual(old, File.GetLastWriteTimeUtc(published));

        File.WriteAllText(staged, "index two");
        Assert.IsTrue(ContentReplace.IfDifferent(staged, published));
        Assert.AreEqual("index two", File.ReadAllText(published));
        Assert.AreEqual(1, Directory.GetFiles(directory.File("index")).Length, "no temporary is left beside it");
    }

    [TestMethod]
    public void TheIndexReaderPublishesShardsAndReadsImports()
    {
        using var directory = new TestDirectory();
        var layout = new SplitLinkLayout(directory.Path, "app.dtlto");
        directory.Write("app.dtlto/modules.txt", "app.dtlto/staging/main.o\napp.dtlto/staging/sub/util.o\n\n");
        directory.Write("app.dtlto/staging/main.o.thinlto.bc", "main shard");
        directory.Write("app.dtlto/staging/main.o.imports", "sub/util.o\n");
        directory.Write("app.dtlto/staging/sub/util.o.thinlto.bc", "util shard");
        directory.Write("app.dtlto/index/sub/util.o.thinlto.bc", "util shard");

        IReadOnlyList<SplitModule> modules = SplitIndexReader.Read(layout);

        CollectionAssert.AreEqual(new[] { "main.o", "sub/util.o" }, modules.Select(m => m.Path).ToArray());
        CollectionAssert.AreEqual(new[] { "sub/util.o" }, modules[0].Imports.ToArray());
        Assert.AreEqual(0, modules[1].Imports.Count, "no imports file: nothing imported");
        Assert.IsTrue(modules[0].ShardChanged);
        Assert.IsFalse(modules[1].ShardChanged, "the published shard had the same content");
        Assert.AreEqual("main shard", File.ReadAllText(directory.File("app.dtlto/index/main.o.thinlto.bc")));
    }

    [TestMethod]
    [DataRow("app.dtlto/staging//abs/lib/m.o", "/abs/lib/m.o")]
    [DataRow("app.dtlto/staging/../elsewhere/m.o", "../elsewhere/m.o")]
    [DataRow("app.dtlto/staging/libx.a(m.o at 68)", "libx.a(m.o at 68)")]
    [DataRow("/abs/m.o", "/abs/m.o")]
    public void AModuleOutsideTheLinkFolderIsRefusedByName(string line, string module)
    {
        using var directory = new TestDirectory();
        directory.Write("app.dtlto/modules.txt", line + "\n");

        var error = Assert.ThrowsExactly<SplitLinkException>(() => SplitIndexReader.Read(new SplitLinkLayout(directory.Path, "app.dtlto")));

        StringAssert.Contains(error.Message, $"'{module}' is not a file inside the link's folder");
    }

    [TestMethod]
    public void AMissingModuleListSaysTheLinkerMayLackIndexOnly()
    {
        using var directory = new TestDirectory();

        var error = Assert.ThrowsExactly<SplitLinkException>(() => SplitIndexReader.Read(new SplitLinkLayout(directory.Path, "app.dtlto")));

        StringAssert.Contains(error.Message, "--thinlto-index-only");
    }

    [TestMethod]
    public void JobsCompileEachModuleWithItsShardAndListItsImportsAsInputs()
    {
        var modules = new[]
        {
            new SplitModule("main.o", Layout.Shard("main.o"), new[] { "util.o", "main.o" }, shardChanged: true),
            new SplitModule("util.o", Layout.Shard("util.o"), Array.Empty<string>(), shardChanged: false),
        };
        using var directory = new TestDirectory();
        var layout = new SplitLinkLayout(directory.Path, "app.dtlto");

        JobList jobList = SplitJobListBuilder.Build(layout, modules, "/llvm/bin/clang", new[] { "--target=x86_64-pc-windows-msvc", "-O2" }, "app.exe");

        CollectionAssert.AreEqual(
            new[] { "/llvm/bin/clang", "-c", "--target=x86_64-pc-windows-msvc", "-O2", "-ffunction-sections", "-fdata-sections", "-Wno-unused-command-line-argument", "-x", "ir",
                "main.o", "-fthinlto-index=app.dtlto/index/main.o.thinlto.bc", "-o", "app.dtlto/native/main.o.native.o" },
            jobList.CommandFor(jobList.Jobs[0]).ToArray());
        CollectionAssert.AreEqual(new[] { "main.o", "app.dtlto/index/main.o.thinlto.bc", "util.o" }, jobList.Jobs[0].Inputs.ToArray(), "a module never imports from itself");
        Assert.AreEqual("app.dtlto/native/util.o.native.o", jobList.Jobs[1].NativeObject);
        Assert.IsTrue(Directory.Exists(directory.File("app.dtlto/native")), "the objects' folder exists before the compiles run");
    }

    [TestMethod]
    [DataRow(LinkerFlavor.Elf, "--start-lib", "--end-lib")]
    [DataRow(LinkerFlavor.Coff, "/start-lib", "/end-lib")]
    public void TheFinalLinkTakesNativeObjectsInTheProjectsOrder(LinkerFlavor flavor, string start, string end)
    {
        var inputs = new[]
        {
            SplitLinkInput.File("main.o"),
            SplitLinkInput.File("native-only.o"),
            SplitLinkInput.Archive("../lib/libm.a", new[] { "a/0-libm/used.o", "a/0-libm/unused.o", "a/0-libm/asm.o" }),
            SplitLinkInput.File("libc.so"),
        };
        var natives = new Dictionary<string, string> { ["main.o"] = "n/main.o.native.o", ["a/0-libm/used.o"] = "n/used.o.native.o" };
        var bitcode = new HashSet<string> { "main.o", "a/0-libm/used.o", "a/0-libm/unused.o" };

        string[] final = SplitFinalLinkInputs.ForFinalLink(flavor, inputs, natives, bitcode.Contains).Select(a => a.Text).ToArray();
        string[] thin = SplitFinalLinkInputs.ForThinLink(flavor, inputs).Select(a => a.Text).ToArray();

        CollectionAssert.AreEqual(new[] { "n/main.o.native.o", "native-only.o", "-Xlinker", start, "n/used.o.native.o", "a/0-libm/asm.o", "-Xlinker", end, "libc.so" }, final);
        CollectionAssert.AreEqual(new[] { "main.o", "native-only.o", "-Xlinker", start, "a/0-libm/used.o", "a/0-libm/unused.o", "a/0-libm/asm.o", "-Xlinker", end, "libc.so" }, thin);
    }

    [TestMethod]
    public void IndexOnlyOptionsNameTheLayoutsListAndStagingPrefix()
    {
        CollectionAssert.AreEqual(
            new[] { "-Xlinker", "--thinlto-index-only=app.dtlto/modules.txt", "-Xlinker", "--thinlto-emit-imports-files", "-Xlinker", "--thinlto-prefix-replace=;app.dtlto/staging/" },
            SplitLinkFlags.IndexOnly(LinkerFlavor.Elf, Layout).ToArray());
        CollectionAssert.AreEqual(
            new[] { "-Xlinker", "/thinlto-index-only:app.dtlto/modules.txt", "-Xlinker", "/thinlto-emit-imports-files", "-Xlinker", "/thinlto-prefix-replace:;app.dtlto/staging/" },
            SplitLinkFlags.IndexOnly(LinkerFlavor.Coff, Layout).ToArray());
    }
}

using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Dtlto.Build.Tests.Sdk;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.VisualCpp;

/// <summary>
/// Visual Studio's property pages for the DTLTO settings (build/Dtlto.Build.Rule.xml): well
/// formed, in step with what the targets read and what the README documents, and added to
/// .vcxproj projects only.
/// </summary>
[TestClass]
public sealed class PropertyPagesTests
{
    private static readonly XNamespace Schema = "http://schemas.microsoft.com/build/2009/properties";
    private static readonly string Build = Path.Combine(RepositoryPaths.Root, "src", "Sdk", "build");

    private static XElement Rule() => XDocument.Load(Path.Combine(Build, "Dtlto.Build.Rule.xml")).Root!.Element(Schema + "Rule")!;

    private static List<XElement> Properties() => Rule().Elements().Where(e => e.Name.LocalName.EndsWith("Property")).ToList();

    private static string Targets() => string.Concat(Directory.GetFiles(Build, "*.targets").Concat(Directory.GetFiles(Build, "*.props")).Select(File.ReadAllText));

    [TestMethod]
    public void TheRuleIsWellFormedAndEveryPropertyItShowsIsOneTheTargetsRead()
    {
        XElement rule = Rule();
        Assert.AreEqual("DtltoLink", (string?)rule.Attribute("Name"));
        HashSet<string> categories = rule.Element(Schema + "Rule.Categories")!.Elements(Schema + "Category").Select(c => (string)c.Attribute("Name")!).ToHashSet();
        string targets = Targets();
        Assert.IsGreaterThan(20, Properties().Count);
        foreach (XElement property in Properties())
        {
            string name = (string)property.Attribute("Name")!;
            StringAssert.Contains(targets, $"$({name})", $"{name} is read by the targets");
            Assert.IsTrue(categories.Contains((string)property.Attribute("Category")!), $"{name} is in a declared category");
            Assert.IsFalse(string.IsNullOrWhiteSpace((string?)property.Attribute("DisplayName")), name);
            Assert.IsFalse(string.IsNullOrWhiteSpace((string?)property.Attribute("Description")), name);
        }

        CollectionAssert.AreEqual(new[] { "Auto", "Integrated", "Split" }, EnumValues("DtltoMode"));
        CollectionAssert.AreEqual(new[] { "Execute", "CacheOnly" }, EnumValues("DtltoRemoteMode"));
    }

    private static string[] EnumValues(string property) =>
        Properties().Single(p => (string?)p.Attribute("Name") == property).Elements(Schema + "EnumValue").Select(v => (string)v.Attribute("Name")!).ToArray();

    [TestMethod]
    public void EveryPropertyTheManualDocumentsIsOnThePage()
    {
        // The SDK's property table ("| property | default | meaning |") and the remote execution
        // table ("| distributor option | MSBuild property | meaning |") name them in their first two cells.
        var documented = new HashSet<string>();
        bool inPropertyTable = false;
        IEnumerable<string> pages = new[] { "sdk.md", "remote-execution.md" }.SelectMany(page => File.ReadLines(Path.Combine(RepositoryPaths.Root, "docs", page)));
        foreach (string line in pages)
        {
            if (!line.StartsWith("| "))
            {
                inPropertyTable = false;
                continue;
            }

            if (line.StartsWith("| property | default |") || line.StartsWith("| distributor option | MSBuild property |"))
                inPropertyTable = true;
            if (!inPropertyTable)
                continue;
            foreach (string cell in line.Split('|').Skip(1).Take(2))
            {
                foreach (Match match in Regex.Matches(cell, @"`(Dtlto[A-Za-z]+)"))
                    documented.Add(match.Groups[1].Value);
            }
        }

        HashSet<string> onThePage = Properties().Select(p => (string)p.Attribute("Name")!).ToHashSet();
        Assert.IsGreaterThan(20, documented.Count);
        CollectionAssert.AreEquivalent(documented.OrderBy(n => n).ToList(), documented.Where(onThePage.Contains).OrderBy(n => n).ToList(), "documented but not on the page: " + string.Join(", ", documented.Except(onThePage)));
    }

    [TestMethod]
    public void ThePagesComeWithVcxprojProjectsOnly()
    {
        using var workspace = new NativeWorkspace();
        string vcxproj = VcxprojTests.WriteVcxproj(workspace);
        string sdkProject = SamplePrograms.WriteApp(workspace);

        CommandResult visualCpp = workspace.Dotnet("msbuild", vcxproj, "-p:Configuration=Release", "-getItem:PropertyPageSchema");
        CommandResult sdk = workspace.Dotnet("msbuild", sdkProject, "-p:Configuration=Release", "-getItem:PropertyPageSchema");

        Assert.AreEqual(0, visualCpp.ExitCode, visualCpp.ToString());
        StringAssert.Contains(visualCpp.StandardOutput, "/build/Dtlto.Build.Rule.xml");
        Assert.AreEqual(0, sdk.ExitCode, sdk.ToString());
        Assert.IsFalse(sdk.StandardOutput.Contains("Dtlto.Build.Rule.xml"), sdk.StandardOutput);
    }
}

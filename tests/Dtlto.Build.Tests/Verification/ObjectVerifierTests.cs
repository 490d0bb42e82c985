using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using Dtlto.Build.Engine.Verification;
using Dtlto.Build.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Dtlto.Build.Tests.Verification;

/// <summary>
/// The object check against objects clang-22 really writes (ELF and COFF, 32- and 64-bit, x86
/// and ARM, with debug information, with more sections than a header can count) and against
/// the damage a crashed compiler, a disk fault or a lying farm leaves.
/// </summary>
[TestClass]
public sealed class ObjectVerifierTests
{
    private const string LinuxX64 = "x86_64-pc-linux-gnu";
    private const string WindowsX64 = "x86_64-pc-windows-msvc";

    private static TestDirectory _dir = null!;

    [ClassInitialize]
    public static void CompileObjects(TestContext context)
    {
        _dir = new TestDirectory();
        // No headers: the machine has no C library for the other targets.
        _dir.Write("m.c", """
            int report(const char *format, int value);
            static int counter;
            const char *names[] = { "one", "two" };
            int twice(int x) { return 2 * x + counter; }
            int run(void) { counter++; return report(names[counter & 1], twice(20)); }
            """);
        foreach (string triple in new[] { LinuxX64, "i686-pc-linux-gnu", "aarch64-unknown-linux-gnu", WindowsX64, "i686-pc-windows-msvc", "aarch64-pc-windows-msvc" })
            Compile("m.c", triple, ObjectFor(triple), "-O2", "-g", "-ffunction-sections");

        // More sections than a header's 16-bit count: ELF's extended numbering and COFF's /bigobj.
        _dir.Write("many-elf.s", string.Join("\n", Enumerable.Range(0, 66000).Select(i => $".section .text.f{i},\"ax\",@progbits\n.globl f{i}\nf{i}:\ncall f{(i + 1) % 66000}\nret")));
        _dir.Write("many-coff.s", string.Join("\n", Enumerable.Range(0, 66000).Select(i => $".section .text$f{i},\"xr\"\n.globl f{i}\nf{i}:\ncall f{(i + 1) % 66000}\nret")));
        Compile("many-elf.s", LinuxX64, "many.o");
        Compile("many-coff.s", WindowsX64, "many.obj");
    }

    [ClassCleanup]
    public static void Remove() => _dir.Dispose();

    private static string ObjectFor(string triple) => triple + ".o";

    private static void Compile(string source, string triple, string output, params string[] options) =>
        Integration.ThinLtoBuild.Expect(Command.Run(_dir.Path, Toolchain.Clang, new[] { "-c", "--target=" + triple, source, "-o", output }.Concat(options)), "compile " + output);

    private static ObjectProblem? Check(byte[] bytes, string triple)
    {
        string path = _dir.File(Guid.NewGuid().ToString("N") + ".o");
        File.WriteAllBytes(path, bytes);
        try
        {
            return ObjectVerifier.Problem(path, ObjectTarget.OfTriple(triple));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static byte[] Bytes(string name) => File.ReadAllBytes(_dir.File(name));

    [TestMethod]
    [DataRow(LinuxX64)]
    [DataRow("i686-pc-linux-gnu")]
    [DataRow("aarch64-unknown-linux-gnu")]
    [DataRow(WindowsX64)]
    [DataRow("i686-pc-windows-msvc")]
    [DataRow("aarch64-pc-windows-msvc")]
    public void ObjectsClangWritesPass(string triple)
    {
        Assert.IsNull(ObjectVerifier.Problem(_dir.File(ObjectFor(triple)), ObjectTarget.OfTriple(triple)));
        Assert.IsNull(ObjectVerifier.Problem(_dir.File(ObjectFor(triple)), ObjectTarget.Any), "without a target, any well-formed object passes");
    }

    [TestMethod]
    public void ObjectsWithMoreSectionsThanAHeaderCountsPass()
    {
        Assert.AreEqual(0, BinaryPrimitives.ReadUInt16LittleEndian(Bytes("many.o").AsSpan(0x3C)), "the ELF object uses extended numbering");
        Assert.AreEqual(0xFFFF, BinaryPrimitives.ReadUInt16LittleEndian(Bytes("many.obj").AsSpan(2)), "the COFF object is a bigobj");
        Assert.IsNull(ObjectVerifier.Problem(_dir.File("many.o"), ObjectTarget.OfTriple(LinuxX64)));
        Assert.IsNull(ObjectVerifier.Problem(_dir.File("many.obj"), ObjectTarget.OfTriple(WindowsX64)));
    }

    [TestMethod]
    [DataRow(LinuxX64, "aarch64-unknown-linux-gnu", "machine 62, not 183")]
    [DataRow(LinuxX64, "i686-pc-linux-gnu", "a 64-bit ELF object, not the 32-bit one")]
    [DataRow(LinuxX64, WindowsX64, "an ELF object, not the COFF object")]
    [DataRow(WindowsX64, LinuxX64, "a COFF object, not the ELF object")]
    [DataRow("i686-pc-windows-msvc", WindowsX64, "machine 0x14c, not 0x8664")]
    public void AnObjectOfAnotherTargetIsRefused(string made, string wanted, string reason)
    {
        ObjectProblem? problem = ObjectVerifier.Problem(_dir.File(ObjectFor(made)), ObjectTarget.OfTriple(wanted));

        Assert.IsNotNull(problem);
        Assert.AreEqual(ObjectProblemKind.Invalid, problem.Kind);
        StringAssert.Contains(problem.Reason, reason);
    }

    [TestMethod]
    [DataRow(LinuxX64)]
    [DataRow(WindowsX64)]
    public void GarbageIsRefusedHoweverItStarts(string triple)
    {
        byte[] real = Bytes(ObjectFor(triple));
        var random = new Random(7);
        byte[] garbage = new byte[real.Length];
        random.NextBytes(garbage);
        byte[] headerThenGarbage = (byte[])garbage.Clone();
        Array.Copy(real, headerThenGarbage, 64);

        Assert.AreEqual(ObjectProblemKind.Invalid, Check(garbage, triple)!.Kind);
        StringAssert.Contains(Check(garbage, triple)!.Reason, "first bytes");
        Assert.IsNotNull(Check(headerThenGarbage, triple), "a real header over garbage");
        Assert.AreEqual(ObjectProblemKind.Truncated, Check(real.Take(300).ToArray(), triple)!.Kind);
        Assert.AreEqual(ObjectProblemKind.Empty, Check(Array.Empty<byte>(), triple)!.Kind);
        Assert.AreEqual(ObjectProblemKind.Missing, ObjectVerifier.Problem(_dir.File("absent.o"), ObjectTarget.OfTriple(triple))!.Kind);
    }

    /// <summary>Offsets in an x86-64 ELF object: each section header's fields.</summary>
    private static (long Header, uint Type)[] ElfSections(byte[] elf)
    {
        long shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(0x28));
        int count = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3C));
        return Enumerable.Range(0, count).Select(i => (shoff + (i * 64L), BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan((int)(shoff + (i * 64L)) + 4)))).ToArray();
    }

    [TestMethod]
    public void ElfTablesThatContradictTheFileAreRefused()
    {
        byte[] real = Bytes(ObjectFor(LinuxX64));
        var sections = ElfSections(real);
        long text = sections.First(s => s.Type == 1 && BinaryPrimitives.ReadUInt64LittleEndian(real.AsSpan((int)s.Header + 32)) > 0).Header;
        long symtab = sections.First(s => s.Type == 2).Header;
        long rela = sections.First(s => s.Type == 4).Header;

        byte[] Damaged(Action<byte[]> damage)
        {
            byte[] copy = (byte[])real.Clone();
            damage(copy);
            return copy;
        }

        var cases = new (string What, byte[] Bytes, string Reason)[]
        {
            ("a section past the end", Damaged(b => BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan((int)text + 24), (ulong)real.Length)), "ends past the end of the file"),
            ("a symbol table linked to no string table", Damaged(b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan((int)symtab + 40), 0)), "does not link to a string table"),
            ("a symbol table with odd entries", Damaged(b => BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan((int)symtab + 56), 20)), "entries of 20 bytes"),
            ("a relocation of a symbol that does not exist", Damaged(b =>
            {
                long entries = (long)BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan((int)rela + 24));
                BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan((int)entries + 12), 0xFFFFFF);
            }), "names symbol 16777215"),
            ("a symbol whose name lies outside its string table", Damaged(b =>
            {
                long entries = (long)BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan((int)symtab + 24));
                BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan((int)entries + 24), 0x7FFFFFFF);
            }), "name outside its string table"),
            ("a header that is not a relocatable object", Damaged(b => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(16), 2)), "not a relocatable object"),
            ("a section header table of terabytes", Damaged(b => BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(0x28), 1UL << 40)), "past the end of the file"),
        };

        foreach ((string what, byte[] bytes, string reason) in cases)
        {
            ObjectProblem? problem = Check(bytes, LinuxX64);
            Assert.IsNotNull(problem, what);
            StringAssert.Contains(problem.Reason, reason, what);
        }
    }

    [TestMethod]
    public void CoffTablesThatContradictTheFileAreRefused()
    {
        byte[] real = Bytes(ObjectFor(WindowsX64));
        int sections = BinaryPrimitives.ReadUInt16LittleEndian(real.AsSpan(2));
        int withRelocations = Enumerable.Range(0, sections).First(i => BinaryPrimitives.ReadUInt16LittleEndian(real.AsSpan(20 + (i * 40) + 32)) > 0);
        int section = 20 + (withRelocations * 40);

        byte[] Damaged(Action<byte[]> damage)
        {
            byte[] copy = (byte[])real.Clone();
            damage(copy);
            return copy;
        }

        var cases = new (string What, byte[] Bytes, string Reason)[]
        {
            ("section data past the end", Damaged(b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(section + 20), (uint)real.Length)), "ends past the end of the file"),
            ("a symbol table of millions", Damaged(b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), 50_000_000)), "past the end of the file"),
            ("a relocation of a symbol that does not exist", Damaged(b =>
            {
                int relocations = (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(section + 24));
                BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(relocations + 4), 0xFFFFFF);
            }), "names symbol 16777215"),
            ("an optional header", Damaged(b => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(16), 240)), "optional header"),
        };

        foreach ((string what, byte[] bytes, string reason) in cases)
        {
            ObjectProblem? problem = Check(bytes, WindowsX64);
            Assert.IsNotNull(problem, what);
            StringAssert.Contains(problem.Reason, reason, what);
        }
    }

    [TestMethod]
    [DataRow(LinuxX64)]
    [DataRow(WindowsX64)]
    [DataRow("i686-pc-linux-gnu")]
    public void DamagedBytesAnywhereNeverThrowOrHang(string triple)
    {
        byte[] real = Bytes(ObjectFor(triple));
        var random = new Random(triple.Length);
        string path = _dir.File("fuzzed-" + triple + ".o");
        int refused = 0;
        for (int round = 0; round < 1500; round++)
        {
            byte[] copy = (byte[])real.Clone();
            // Headers and tables are where damage matters: aim a third of the flips at the first 64 bytes.
            for (int flips = random.Next(1, 6); flips > 0; flips--)
                copy[random.Next(3) == 0 ? random.Next(64) : random.Next(copy.Length)] = (byte)random.Next(256);
            File.WriteAllBytes(path, copy);
            if (ObjectVerifier.Problem(path, ObjectTarget.OfTriple(triple)) is not null)
                refused++;
        }

        Assert.IsGreaterThan(100, refused, "damage to headers and tables is found");
    }

    [TestMethod]
    [DataRow("x86_64-pc-linux-gnu", ObjectFormat.Elf, (ushort)62, true)]
    [DataRow("x86_64-unknown-linux-gnux32", ObjectFormat.Elf, (ushort)62, false)]
    [DataRow("armv7a-unknown-linux-gnueabihf", ObjectFormat.Elf, (ushort)40, false)]
    [DataRow("x86_64-w64-windows-gnu", ObjectFormat.Coff, (ushort)62, true)]
    [DataRow("x86_64-pc-windows-msvc", ObjectFormat.Coff, (ushort)62, true)]
    [DataRow("x86_64-pc-windows-elf", ObjectFormat.Elf, (ushort)62, true)]
    public void TheTargetComesFromTheTriple(string triple, ObjectFormat format, ushort elfMachine, bool is64)
    {
        ObjectTarget target = ObjectTarget.OfCommand(new[] { "clang", "-c", "--target=" + triple, "-O2" });

        Assert.AreEqual(format, target.Format);
        Assert.AreEqual(elfMachine, target.ElfMachine);
        Assert.AreEqual(is64, target.Is64);
        Assert.AreSame(ObjectTarget.Any, ObjectTarget.OfCommand(new[] { "clang", "-c" }));
        Assert.AreEqual(ObjectFormat.Coff, ObjectTarget.OfCommand(new[] { "clang", "-target", "aarch64-pc-windows-msvc" }).Format);
    }
}

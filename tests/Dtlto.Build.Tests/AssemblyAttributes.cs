using System.Runtime.Versioning;

// The integration tests drive Debian's LLVM 22 packages, so the suite runs on Linux.
[assembly: SupportedOSPlatform("linux")]

#if NETFRAMEWORK
namespace System.Runtime.CompilerServices;

/// <summary>Lets the net472 build compile records and init-only setters; .NET Framework does not define it.</summary>
internal static class IsExternalInit
{
}
#endif

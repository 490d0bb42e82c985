namespace Dtlto.Build.Tests.Support;

public sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string All => StandardOutput + StandardError;

    public override string ToString() => $"exit code {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}

namespace SaasMonitor.Testing;

/// <summary>
/// Microsoft's Redis-compatible Garnet server (the .NET local tool garnet-server of the repository's
/// dotnet-tools.json, restored by <c>dotnet tool restore</c>) on a free loopback port.
/// </summary>
public sealed class GarnetTestServer : RedisTestServer
{
    private const string Version = "2.2.8";

    public GarnetTestServer()
        : base(Restored() ? null : $"garnet-server {Version} is not restored (run `dotnet tool restore`; .ci/run does)", port =>
        {
            var info = Command("dotnet", "tool", "run", "garnet-server", "--", "--port", Invariant(port), "--bind", "127.0.0.1", "-m", "128m", "--index", "16m", "--lua", "true");
            info.WorkingDirectory = RepositoryRoot();
            return info;
        })
    {
    }

    private static bool Restored() =>
        Directory.Exists(Path.Combine(
            Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
            "garnet-server",
            Version));

    /// <summary>The folder of dotnet-tools.json, where `dotnet tool run` finds the tool.</summary>
    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "dotnet-tools.json")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("dotnet-tools.json not found above the test's folder.");
    }
}

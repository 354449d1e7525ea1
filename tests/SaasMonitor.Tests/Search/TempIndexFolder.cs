namespace SaasMonitor.Tests.Search;

/// <summary>A unique folder under the system temp folder, deleted on dispose.</summary>
public sealed class TempIndexFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "saasmon-index-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

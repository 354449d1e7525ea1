using SaasMonitor.Core.Metadata;
using SaasMonitor.Embedded.Files;

namespace SaasMonitor.Tests.Conformance;

public sealed class DirectoryBlobStoreTests : FileBlobStoreConformanceTests, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "saasmon-blobs-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    protected override Task<IFileBlobStore> CreateStoreAsync() => Task.FromResult<IFileBlobStore>(new DirectoryBlobStore(_directory));
}

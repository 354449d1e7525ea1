using SaasMonitor.Core.Metadata;
using SaasMonitor.MongoDB.Metadata;

namespace SaasMonitor.Tests.Conformance;

/// <summary>The metadata store suite against the MongoDB server that SAASMON_TEST_MONGODB_URL names; skipped without one.</summary>
public sealed class MongoMetadataStoreTests(MongoTestServer server) : MetadataStoreConformanceTests, IClassFixture<MongoTestServer>
{
    protected override async Task<IMetadataStore> CreateStoreAsync() =>
        await server.OpenAsync(db => new MongoMetadataStore(db, TimeSpan.FromDays(90), TimeProvider.System));
}

/// <summary>The blob store suite on GridFS, against the MongoDB server that SAASMON_TEST_MONGODB_URL names; skipped without one.</summary>
public sealed class GridFsBlobStoreTests(MongoTestServer server) : FileBlobStoreConformanceTests, IClassFixture<MongoTestServer>
{
    protected override async Task<IFileBlobStore> CreateStoreAsync() => new GridFsBlobStore(await server.DatabaseAsync());
}

using SaasMonitor.Core.Identity;
using SaasMonitor.MongoDB.Identity;

namespace SaasMonitor.Tests.Conformance;

/// <summary>The identity store suite against the MongoDB server that SAASMON_TEST_MONGODB_URL names; skipped without one.</summary>
public sealed class MongoIdentityStoreTests(MongoTestServer server) : IdentityStoreConformanceTests, IClassFixture<MongoTestServer>
{
    protected override IIdentityStore CreateStore() => server.Open(db => new MongoIdentityStore(db));
}

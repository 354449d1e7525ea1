using SaasMonitor.Core.Alerting;
using SaasMonitor.MongoDB.Alerting;

namespace SaasMonitor.Tests.Conformance;

/// <summary>The alert store suite against the MongoDB server that SAASMON_TEST_MONGODB_URL names; skipped without one.</summary>
public sealed class MongoAlertStoreTests(MongoTestServer server) : AlertStoreConformanceTests, IClassFixture<MongoTestServer>
{
    protected override IAlertStore CreateStore() => server.Open(db => new MongoAlertStore(db));
}

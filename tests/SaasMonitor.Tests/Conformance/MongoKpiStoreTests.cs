using SaasMonitor.Core.Kpis;
using SaasMonitor.MongoDB.Kpis;

namespace SaasMonitor.Tests.Conformance;

/// <summary>The KPI store suite against the MongoDB server that SAASMON_TEST_MONGODB_URL names; skipped without one.</summary>
public sealed class MongoKpiStoreTests(MongoTestServer server) : KpiStoreConformanceTests, IClassFixture<MongoTestServer>
{
    protected override async Task<IKpiStore> CreateStoreAsync() => await server.OpenAsync(db => new MongoKpiStore(db));
}

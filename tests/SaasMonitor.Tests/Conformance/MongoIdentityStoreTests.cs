using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using SaasMonitor.Core.Identity;
using SaasMonitor.MongoDB.Identity;

namespace SaasMonitor.Tests.Conformance;

/// <summary>
/// The identity store suite, and the Data Protection key ring, against the MongoDB server that
/// SAASMON_TEST_MONGODB_URL names or Docker starts; skipped without one.
/// </summary>
public sealed class MongoIdentityStoreTests(MongoTestServer server) : IdentityStoreConformanceTests, IClassFixture<MongoTestServer>
{
    protected override IIdentityStore CreateStore() => server.Open(db => new MongoIdentityStore(db));

    [Fact]
    public async Task What_one_process_protects_with_the_key_ring_in_MongoDB_another_process_reads()
    {
        var database = await server.DatabaseAsync();
        using var dashboard = Protection(new MongoKeyRing(database));
        using var worker = Protection(new MongoKeyRing(database));
        var secret = dashboard.GetRequiredService<IDataProtectionProvider>().CreateProtector("channels").Protect("https://hooks.example/abc");

        worker.GetRequiredService<IDataProtectionProvider>().CreateProtector("channels").Unprotect(secret).Should().Be("https://hooks.example/abc");
        new MongoKeyRing(database).GetAllElements().Should().ContainSingle("the first process created the key and the second found it");
    }

    private static ServiceProvider Protection(MongoKeyRing ring)
    {
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName("SaasMonitor");
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = ring);
        return services.BuildServiceProvider();
    }
}

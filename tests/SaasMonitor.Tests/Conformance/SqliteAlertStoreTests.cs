using SaasMonitor.Core.Alerting;
using SaasMonitor.Embedded.Sqlite;

namespace SaasMonitor.Tests.Conformance;

public sealed class SqliteAlertStoreTests : AlertStoreConformanceTests, IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    protected override IAlertStore CreateStore() => _database.Open(o => new SqliteAlertStore(o));

    [Fact]
    public async Task Rules_state_and_the_outbox_survive_reopening_the_database_shared_with_the_other_stores()
    {
        using (var first = new SqliteAlertStore(_database.Options))
        using (new SqliteIdentityStore(_database.Options))
        using (new SqliteKpiStore(_database.Options))
        {
            await first.SaveRuleAsync(ARule("r1"), Ct);
            await first.ApplyAsync([new AlertEvaluation("r1", [AnInstance("r1", "", AlertState.Firing)], [], [], [ANotification("r1", "c1", Now)])], Ct);
        }

        var reopened = _database.Open(o => new SqliteAlertStore(o));
        (await reopened.GetRuleAsync("r1", Ct)).Should().NotBeNull();
        (await reopened.ListInstancesAsync("r1", Ct)).Should().ContainSingle().Which.State.Should().Be(AlertState.Firing);
        (await reopened.ListDueAsync(Now, 10, Ct)).Should().ContainSingle();
    }

    public void Dispose() => _database.Dispose();
}

using SaasMonitor.Core.Identity;
using SaasMonitor.Embedded.Sqlite;

namespace SaasMonitor.Tests.Conformance;

public sealed class SqliteIdentityStoreTests : IdentityStoreConformanceTests, IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    protected override IIdentityStore CreateStore() => _database.Open(o => new SqliteIdentityStore(o));

    [Fact]
    public async Task Users_and_the_audit_log_survive_closing_and_reopening_the_database_next_to_the_other_stores()
    {
        using (var first = new SqliteIdentityStore(_database.Options))
        using (new SqliteMetadataStore(_database.Options))
        {
            await first.CreateUserAsync(AUser("u1", "carol", Role.Admin), Ct);
            await first.AppendAuditAsync(new AuditEntry(0, Now, "carol", AuditActions.SignIn, "carol", null, true, null), Ct);
        }

        var reopened = _database.Open(o => new SqliteIdentityStore(o));
        (await reopened.FindUserByNameAsync("carol", Ct))!.Role.Should().Be(Role.Admin);
        (await reopened.ListAuditAsync(new AuditQuery(), Ct)).Should().ContainSingle();
    }

    public void Dispose() => _database.Dispose();
}

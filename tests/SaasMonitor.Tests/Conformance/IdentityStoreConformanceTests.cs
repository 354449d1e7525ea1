using SaasMonitor.Core.Identity;

namespace SaasMonitor.Tests.Conformance;

/// <summary>What every <see cref="IIdentityStore"/> must do. A fixture returns an empty store from <see cref="CreateStore"/>.</summary>
public abstract class IdentityStoreConformanceTests
{
    protected static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    protected abstract IIdentityStore CreateStore();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected static User AUser(string id, string name, Role role = Role.Viewer) => new(id, name, role, "hash-" + id, false, Now);

    [Fact]
    public async Task A_user_is_found_by_id_and_by_name_in_any_case_and_a_taken_name_is_refused()
    {
        var store = CreateStore();
        (await store.CreateUserAsync(AUser("u1", "Alice", Role.Editor), Ct)).Should().BeTrue();

        (await store.GetUserAsync("u1", Ct)).Should().BeEquivalentTo(AUser("u1", "Alice", Role.Editor));
        (await store.FindUserByNameAsync("alice", Ct))!.Id.Should().Be("u1");
        (await store.CreateUserAsync(AUser("u2", "ALICE"), Ct)).Should().BeFalse("names compare without case");
        (await store.CountUsersAsync(Ct)).Should().Be(1);
    }

    [Fact]
    public async Task Updating_a_user_keeps_every_field_and_deleting_removes_their_sessions_and_tokens()
    {
        var store = CreateStore();
        await store.CreateUserAsync(AUser("u1", "bob"), Ct);
        var changed = AUser("u1", "bob", Role.Admin) with { Disabled = true, FailedSignIns = 3, LockedUntil = Now.AddMinutes(5), LastSignInAt = Now.AddDays(-1), ExternalSubject = "iss|42" };
        (await store.UpdateUserAsync(changed, Ct)).Should().BeTrue();
        (await store.GetUserAsync("u1", Ct)).Should().BeEquivalentTo(changed);
        (await store.FindUserByExternalSubjectAsync("iss|42", Ct))!.Id.Should().Be("u1");

        await store.CreateSessionAsync(new Session("s1", "u1", Now, Now, Now.AddDays(1), "127.0.0.1"), Ct);
        await store.CreateTokenAsync(new ApiToken("t1", "u1", "ci", Role.Viewer, "smt_abc", "th1", Now, null), Ct);
        (await store.DeleteUserAsync("u1", Ct)).Should().BeTrue();

        (await store.GetUserAsync("u1", Ct)).Should().BeNull();
        (await store.GetSessionAsync("s1", Ct)).Should().BeNull();
        (await store.FindTokenByHashAsync("th1", Ct)).Should().BeNull();
        (await store.DeleteUserAsync("u1", Ct)).Should().BeFalse();
    }

    [Fact]
    public async Task Sessions_are_touched_ended_per_user_and_expired_by_age_or_idleness()
    {
        var store = CreateStore();
        await store.CreateSessionAsync(new Session("fresh", "u1", Now, Now, Now.AddDays(7), null), Ct);
        await store.CreateSessionAsync(new Session("idle", "u1", Now.AddHours(-10), Now.AddHours(-9), Now.AddDays(7), null), Ct);
        await store.CreateSessionAsync(new Session("old", "u2", Now.AddDays(-8), Now, Now.AddMinutes(-1), null), Ct);
        await store.TouchSessionAsync("fresh", Now.AddMinutes(3), Ct);
        (await store.GetSessionAsync("fresh", Ct))!.LastSeenAt.Should().Be(Now.AddMinutes(3));

        (await store.DeleteExpiredSessionsAsync(Now, idleSince: Now.AddHours(-8), Ct)).Should().Be(2);
        (await store.GetSessionAsync("fresh", Ct)).Should().NotBeNull();

        await store.CreateSessionAsync(new Session("second", "u1", Now, Now, Now.AddDays(7), null), Ct);
        (await store.DeleteSessionsOfUserAsync("u1", Ct)).Should().Be(2);
        (await store.GetSessionAsync("fresh", Ct)).Should().BeNull();
    }

    [Fact]
    public async Task Tokens_and_ingest_keys_are_found_by_hash_listed_newest_first_touched_and_revoked_once()
    {
        var store = CreateStore();
        await store.CreateTokenAsync(new ApiToken("t1", "u1", "old", Role.Viewer, "smt_1", "h1", Now.AddDays(-1), Now.AddDays(30)), Ct);
        await store.CreateTokenAsync(new ApiToken("t2", "u2", "new", Role.Editor, "smt_2", "h2", Now, null), Ct);
        (await store.ListTokensAsync(null, Ct)).Select(t => t.Id).Should().Equal("t2", "t1");
        (await store.ListTokensAsync("u1", Ct)).Select(t => t.Id).Should().Equal("t1");
        await store.TouchTokenAsync("t1", Now, Ct);
        (await store.FindTokenByHashAsync("h1", Ct))!.LastUsedAt.Should().Be(Now);
        (await store.RevokeTokenAsync("t1", Now, Ct)).Should().BeTrue();
        (await store.RevokeTokenAsync("t1", Now, Ct)).Should().BeFalse();
        (await store.GetTokenAsync("t1", Ct))!.RevokedAt.Should().Be(Now);

        await store.CreateIngestKeyAsync(new IngestKey("k1", "nginx", "web-1", "smk_1", "kh1", Now, "admin"), Ct);
        (await store.FindIngestKeyByHashAsync("kh1", Ct))!.Source.Should().Be("web-1");
        await store.TouchIngestKeyAsync("k1", Now, Ct);
        (await store.ListIngestKeysAsync(Ct)).Should().ContainSingle().Which.LastUsedAt.Should().Be(Now);
        (await store.RevokeIngestKeyAsync("k1", Now, Ct)).Should().BeTrue();
        (await store.RevokeIngestKeyAsync("k1", Now, Ct)).Should().BeFalse();
    }

    [Fact]
    public async Task The_audit_log_appends_with_rising_ids_filters_pages_and_drops_only_by_retention()
    {
        var store = CreateStore();
        var first = await store.AppendAuditAsync(new AuditEntry(0, Now.AddDays(-400), "alice", AuditActions.SignIn, "alice", "10.0.0.1", true, null), Ct);
        var second = await store.AppendAuditAsync(new AuditEntry(0, Now.AddMinutes(-2), "bob", AuditActions.SignInFailed, "bob", "10.0.0.2", false, "wrong password"), Ct);
        var third = await store.AppendAuditAsync(new AuditEntry(0, Now, "Alice", AuditActions.RoleChanged, "bob", "10.0.0.1", true, "viewer → editor"), Ct);
        second.Id.Should().BeGreaterThan(first.Id);
        third.Id.Should().BeGreaterThan(second.Id);

        (await store.ListAuditAsync(new AuditQuery(), Ct)).Select(e => e.Id).Should().Equal(third.Id, second.Id, first.Id);
        (await store.ListAuditAsync(new AuditQuery(Actor: "alice"), Ct)).Select(e => e.Id).Should().Equal(third.Id, first.Id);
        (await store.ListAuditAsync(new AuditQuery(Action: AuditActions.SignInFailed), Ct)).Should().ContainSingle().Which.Should().Be(second);
        (await store.ListAuditAsync(new AuditQuery(From: Now.AddMinutes(-5), To: Now), Ct)).Select(e => e.Id).Should().Equal(second.Id);
        (await store.ListAuditAsync(new AuditQuery(Before: third.Id, Limit: 1), Ct)).Select(e => e.Id).Should().Equal(second.Id);

        (await store.DeleteAuditBeforeAsync(Now.AddDays(-365), Ct)).Should().Be(1);
        (await store.ListAuditAsync(new AuditQuery(), Ct)).Should().HaveCount(2);
    }
}

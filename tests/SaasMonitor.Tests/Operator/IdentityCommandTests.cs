using SaasMonitor.Core.Identity;
using SaasMonitor.Embedded.Sqlite;
using SaasMonitor.Hosting.Security;
using SaasMonitor.Operator;

namespace SaasMonitor.Tests.Operator;

/// <summary><c>saasmon users</c>, <c>tokens</c> and <c>audit</c> on a temporary data folder, run in-process through their entry point.</summary>
public sealed class IdentityCommandTests : IDisposable
{
    private const string Password = "quartz-willow-beacon-8";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _dataDir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "saasmon-users-" + Guid.NewGuid().ToString("N"))).FullName;

    private readonly List<IDisposable> _opened = [];

    public void Dispose()
    {
        _opened.ForEach(s => s.Dispose());
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Users_are_added_with_a_password_from_stdin_listed_and_have_their_password_reset()
    {
        var (added, addOutput, _) = await RunAsync(Password + "\n", "users", "add", "dana", "--role", "editor", "--password-stdin");
        added.Should().Be(0);
        addOutput.Should().Contain("Created editor 'dana'");

        var (_, list, _) = await RunAsync("", "users", "list");
        list.Should().MatchRegex(@"dana\s+editor\s+active\s+never");

        var store = Store();
        var before = (await store.FindUserByNameAsync("dana", Ct))!;
        await store.CreateSessionAsync(new Session("live", before.Id, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1), null), Ct);
        var (reset, _, _) = await RunAsync("another-quartz-willow-9\n", "users", "reset-password", "dana", "--password-stdin");
        reset.Should().Be(0);
        var after = (await store.FindUserByNameAsync("dana", Ct))!;
        after.PasswordHash.Should().NotBe(before.PasswordHash);
        (await store.GetSessionAsync("live", Ct)).Should().BeNull("a new password ends the user's sessions");
        (await store.ListAuditAsync(new AuditQuery(), Ct)).Select(e => e.Action).Should().Contain([AuditActions.UserCreated, AuditActions.PasswordChanged]);
    }

    [Theory]
    [InlineData("short\n", "at least 12 characters")]
    [InlineData("", "No password on standard input")]
    [InlineData("password2024!\n", "commonly used")]
    public async Task A_missing_or_weak_password_is_refused_with_the_reason_and_nothing_is_created(string stdin, string reason)
    {
        var (code, _, error) = await RunAsync(stdin, "users", "add", "eve", "--role", "viewer", "--password-stdin");

        code.Should().Be(1);
        error.Should().Contain(reason);
        (await Store().CountUsersAsync(Ct)).Should().Be(0);
    }

    [Fact]
    public async Task A_token_is_printed_on_the_last_line_with_a_role_no_higher_than_its_owners_and_an_expiry()
    {
        await RunAsync(Password + "\n", "users", "add", "ci-bot", "--role", "editor", "--password-stdin");

        var (code, output, _) = await RunAsync("", "tokens", "create", "--user", "ci-bot", "--role", "viewer", "--expires", "30d");
        code.Should().Be(0);
        var secret = output.TrimEnd().Split('\n')[^1].Trim();
        secret.Should().StartWith(Secrets.TokenPrefix);
        var token = (await Store().FindTokenByHashAsync(Secrets.Hash(secret), Ct))!;
        token.Role.Should().Be(Role.Viewer);
        token.ExpiresAt.Should().BeCloseTo(DateTimeOffset.UtcNow.AddDays(30), TimeSpan.FromMinutes(1));

        var (higher, _, error) = await RunAsync("", "tokens", "create", "--user", "ci-bot", "--role", "admin");
        higher.Should().Be(1);
        error.Should().Contain("higher role than its owner");
    }

    [Fact]
    public async Task The_audit_command_lists_entries_newest_first_and_filters_by_action()
    {
        await RunAsync(Password + "\n", "users", "add", "fay", "--role", "viewer", "--password-stdin");
        await RunAsync("", "tokens", "create", "--user", "fay");

        var (code, all, _) = await RunAsync("", "audit");
        code.Should().Be(0);
        all.IndexOf("token_issued", StringComparison.Ordinal).Should().BeLessThan(all.IndexOf("user_created", StringComparison.Ordinal));
        var (_, filtered, _) = await RunAsync("", "audit", "--action", "user_created");
        filtered.Should().Contain("user_created").And.NotContain("token_issued");
    }

    private SqliteIdentityStore Store()
    {
        var store = new SqliteIdentityStore(new SqliteOptions { Path = Path.Combine(_dataDir, "saasmon.db") });
        _opened.Add(store);
        return store;
    }

    [Fact]
    public async Task The_data_folder_and_settings_may_be_given_before_the_verb()
    {
        await RunAsync(Password + "\n", "users", "add", "early-bird", "--role", "viewer", "--password-stdin");
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] args = ["--SaasMonitor:Auth:IdleTimeout=04:00:00", "--data-dir", _dataDir, "tokens", "create", "--user", "early-bird"];

        OperatorCommands.Handles(args).Should().BeTrue();
        (await OperatorCommands.RunAsync(args, output, error, TextReader.Null, Ct)).Should().Be(0, error.ToString());
        output.ToString().TrimEnd().Split('\n')[^1].Should().StartWith(Secrets.TokenPrefix);
    }

    private async Task<(int Code, string Output, string Error)> RunAsync(string stdin, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(stdin);
        var code = await OperatorCommands.RunAsync([.. args, "--data-dir", _dataDir], output, error, input, Ct);
        return (code, output.ToString(), error.ToString());
    }
}

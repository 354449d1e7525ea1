using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dashboard.Web.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace SaasMonitor.EndToEnd;

/// <summary>Ingest keys, anonymous ingest, brute-force limits, first-run setup and the audit log, each on its own server.</summary>
public sealed class AccessTests
{
    private const string Password = "granite-meadow-otter-31";

    [Fact]
    public async Task An_ingest_key_stamps_its_source_over_the_bodys_and_the_querys_and_can_do_nothing_but_ingest()
    {
        await using var host = await InProcessHost.StartAsync();
        var key = await IssueKeyAsync(host, "edge-proxy");
        using var shipper = new HttpClient { BaseAddress = host.BaseAddress };

        async Task SendAsync(HttpRequestMessage request)
        {
            using var response = await shipper.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        }

        var line = """{"level":"error","service":"billing","message":"key-stamped","source":"spoofed-in-body"}""";
        using var byHeader = Ingest("/api/ingest?source=spoofed-in-query", line);
        byHeader.Headers.Add("X-Api-Key", key);
        await SendAsync(byHeader);
        using var bySeqHeader = Ingest("/api/ingest", line);
        bySeqHeader.Headers.Add("X-Seq-ApiKey", key);
        await SendAsync(bySeqHeader);
        await SendAsync(Ingest($"/api/ingest?apiKey={key}", line));

        await Eventually.HoldsAsync(async () => await host.TotalAsync("q=message:key-stamped") == 3, TimeSpan.FromSeconds(30), "the three batches indexed");
        (await host.TotalAsync("q=message:key-stamped AND source:edge-proxy")).Should().Be(3, "the key's source wins over the body's and the query's");

        using var search = new HttpRequestMessage(HttpMethod.Get, "/api/search");
        search.Headers.Add("X-Api-Key", key);
        using var refused = await shipper.SendAsync(search);
        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("An ingest key can only send logs");

        var id = (await host.GetJsonAsync("/api/ingest-keys"))[0].GetProperty("id").GetString();
        (await host.Client.DeleteAsync($"/api/ingest-keys/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        using var revoked = Ingest("/api/ingest", line);
        revoked.Headers.Add("X-Api-Key", key);
        (await shipper.SendAsync(revoked)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Anonymous_ingest_is_accepted_from_this_machine_and_refused_from_another()
    {
        await using var host = await InProcessHost.StartWithRemoteCallersAsync([]);
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };

        (await anonymous.SendAsync(Ingest("/api/ingest", """{"message":"local"}"""))).StatusCode.Should().Be(HttpStatusCode.Accepted);
        using var remote = Ingest("/api/ingest", """{"message":"remote"}""");
        remote.Headers.Add(RemoteAddress.Header, RemoteAddress.Elsewhere);
        using var refused = await anonymous.SendAsync(remote);
        refused.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("ingest key");

        await using var closed = await InProcessHost.StartAsync("--SaasMonitor:Auth:AnonymousIngest=Never");
        using var local = new HttpClient { BaseAddress = closed.BaseAddress };
        (await local.SendAsync(Ingest("/api/ingest", """{"message":"local"}"""))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Sign_in_attempts_are_limited_per_address_with_a_reason_and_a_retry_time()
    {
        await using var host = await InProcessHost.StartAsync("--SaasMonitor:Auth:SignInsPerMinutePerAddress=3");
        using var browser = TestUsers.Browser(host.BaseAddress);

        // The test server's own admin sign-in at start took the first of the three.
        for (var i = 0; i < 2; i++)
        {
            (await browser.PostAsJsonAsync("/api/login", new { username = "someone", password = "guess-number-" + i })).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        using var limited = await browser.PostAsJsonAsync("/api/login", new { username = TestUsers.AdminName, password = TestUsers.AdminPassword });
        limited.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        limited.Headers.RetryAfter.Should().NotBeNull();
        (await limited.Content.ReadAsStringAsync()).Should().Contain("Too many sign-in attempts");
    }

    [Fact]
    public async Task Sign_in_attempts_for_one_account_are_limited_from_any_address()
    {
        await using var host = await InProcessHost.StartAsync("--SaasMonitor:Auth:SignInsPerMinutePerAccount=3", "--SaasMonitor:Auth:LockoutFailures=100");
        using var browser = TestUsers.Browser(host.BaseAddress);

        // The test server's own admin sign-in at start took the first of the three.
        for (var i = 0; i < 2; i++)
        {
            (await browser.PostAsJsonAsync("/api/login", new { username = TestUsers.AdminName, password = "guess-number-" + i })).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        (await browser.PostAsJsonAsync("/api/login", new { username = TestUsers.AdminName, password = TestUsers.AdminPassword })).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Repeated_failures_lock_the_account_for_a_while_and_the_lockout_is_audited()
    {
        await using var host = await InProcessHost.StartAsync("--SaasMonitor:Auth:LockoutFailures=3");
        using var browser = TestUsers.Browser(host.BaseAddress);
        for (var i = 0; i < 3; i++)
        {
            (await browser.PostAsJsonAsync("/api/login", new { username = TestUsers.AdminName, password = "guess-number-" + i })).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        (await browser.PostAsJsonAsync("/api/login", new { username = TestUsers.AdminName, password = TestUsers.AdminPassword })).StatusCode
            .Should().Be(HttpStatusCode.Unauthorized, "the right password does not open a locked account");

        var lockouts = await host.GetJsonAsync("/api/audit?action=lockout");
        lockouts.GetProperty("entries").EnumerateArray().Should().ContainSingle().Which.GetProperty("target").GetString().Should().Be(TestUsers.AdminName);
        var user = await host.GetJsonAsync($"/api/users/{TestUsers.AdminName}");
        user.GetProperty("locked_until").GetDateTimeOffset().Should().BeAfter(DateTimeOffset.UtcNow.AddMinutes(10));
    }

    [Fact]
    public async Task The_first_admin_is_created_through_the_one_time_setup_link_printed_at_start()
    {
        var dataDir = InProcessHost.NewDataDirectory();
        await using var app = AllInOne.Build(["--urls", "http://127.0.0.1:0", "--data-dir", dataDir, "--Serilog:MinimumLevel:Default=Warning", .. InProcessHost.NoListeners]);
        await app.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            var token = app.Services.GetRequiredService<SetupToken>();
            using var browser = TestUsers.Browser(address);
            (await browser.GetFromJsonAsync<JsonElement>("/api/setup")).GetProperty("needed").GetBoolean().Should().BeTrue();

            using var wrongToken = await browser.PostAsJsonAsync("/api/setup", new { token = "guessed", username = "founder", password = Password });
            wrongToken.StatusCode.Should().Be(HttpStatusCode.Forbidden);

            // The link printed at start is the only way to learn the token; the test reads it from the server.
            var secret = token.Current!;
            using var weak = await browser.PostAsJsonAsync("/api/setup", new { token = secret, username = "founder", password = "password1234" });
            weak.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await weak.Content.ReadAsStringAsync()).Should().Contain("commonly used");

            using var created = await browser.PostAsJsonAsync("/api/setup", new { token = secret, username = "founder", password = Password });
            created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            (await browser.GetFromJsonAsync<JsonElement>("/api/user/current")).GetProperty("role").GetString().Should().Be("admin");

            using var again = await TestUsers.Browser(address).PostAsJsonAsync("/api/setup", new { token = secret, username = "intruder", password = Password });
            again.StatusCode.Should().Be(HttpStatusCode.Forbidden, "the link works once");
            (await browser.GetFromJsonAsync<JsonElement>("/api/setup")).GetProperty("needed").GetBoolean().Should().BeFalse();
        }
        finally
        {
            await app.StopAsync(TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Every_security_decision_is_written_to_the_audit_log_with_who_and_from_where()
    {
        await using var host = await InProcessHost.StartAsync();
        using var created = await host.Client.PostAsJsonAsync("/api/users", new { name = "audited", role = "viewer", password = Password });
        var userId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        (await host.Client.PatchAsJsonAsync($"/api/users/{userId}", new { role = "editor" })).EnsureSuccessStatusCode();
        (await host.Client.PatchAsJsonAsync($"/api/users/{userId}", new { password = "copper-lantern-otter-77" })).EnsureSuccessStatusCode();

        using var browser = TestUsers.Browser(host.BaseAddress);
        (await browser.PostAsJsonAsync("/api/login", new { username = "audited", password = "wrong-password-123" })).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var csrf = await TestUsers.SignInAsync(browser, "audited", "copper-lantern-otter-77");
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Post, "/api/tokens") { Content = JsonContent.Create(new { name = "ci" }) };
        tokenRequest.Headers.Add("X-CSRF-Token", csrf);
        var tokenId = JsonDocument.Parse(await (await browser.SendAsync(tokenRequest)).Content.ReadAsStringAsync()).RootElement.GetProperty("item").GetProperty("id").GetString();
        using var revokeRequest = new HttpRequestMessage(HttpMethod.Delete, $"/api/tokens/{tokenId}");
        revokeRequest.Headers.Add("X-CSRF-Token", csrf);
        (await browser.SendAsync(revokeRequest)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        using var logout = new HttpRequestMessage(HttpMethod.Post, "/api/logout");
        logout.Headers.Add("X-CSRF-Token", csrf);
        (await browser.SendAsync(logout)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        await IssueKeyAsync(host, "audited-source");
        var keyId = (await host.GetJsonAsync("/api/ingest-keys"))[0].GetProperty("id").GetString();
        (await host.Client.DeleteAsync($"/api/ingest-keys/{keyId}")).EnsureSuccessStatusCode();
        (await host.Client.PatchAsJsonAsync($"/api/users/{userId}", new { disabled = true })).EnsureSuccessStatusCode();
        (await host.Client.DeleteAsync($"/api/users/{userId}")).EnsureSuccessStatusCode();
        (await host.UploadAsync("audited.log", "2024-01-01 10:00:00 ERROR audited upload\n"u8.ToArray())).EnsureSuccessStatusCode();
        var fileId = (await host.GetJsonAsync("/api/files")).GetProperty("files")[0].GetProperty("id").GetString();
        (await host.Client.DeleteAsync($"/api/files/{fileId}")).EnsureSuccessStatusCode();

        var entries = (await host.GetJsonAsync("/api/audit?limit=1000")).GetProperty("entries").EnumerateArray().ToList();
        string[] expected =
        [
            "user_created", "role_changed", "password_changed", "sign_in_failed", "sign_in", "token_issued", "token_revoked", "sign_out",
            "ingest_key_issued", "ingest_key_revoked", "user_disabled", "user_deleted", "file_deleted",
        ];
        entries.Select(e => e.GetProperty("action").GetString()).Should().Contain(expected);
        var failed = entries.First(e => e.GetProperty("action").GetString() == "sign_in_failed");
        (failed.GetProperty("actor").GetString(), failed.GetProperty("address").GetString(), failed.GetProperty("success").GetBoolean()).Should().Be(("audited", "127.0.0.1", false));
        entries.First(e => e.GetProperty("action").GetString() == "role_changed").GetProperty("actor").GetString().Should().Be(TestUsers.AdminName);
        (await host.GetJsonAsync("/api/audit?user=audited&action=sign_in")).GetProperty("entries").EnumerateArray().Should().ContainSingle();
    }

    [Fact]
    public async Task A_password_hashed_with_fewer_iterations_is_rehashed_at_the_next_sign_in()
    {
        await using var host = await InProcessHost.StartAsync();
        var store = host.Services.GetRequiredService<SaasMonitor.Core.Identity.IIdentityStore>();
        var admin = (await store.FindUserByNameAsync(TestUsers.AdminName, TestContext.Current.CancellationToken))!;
        var weaker = new Microsoft.AspNetCore.Identity.PasswordHasher<object>(
            Microsoft.Extensions.Options.Options.Create(new Microsoft.AspNetCore.Identity.PasswordHasherOptions { IterationCount = 100_000 })).HashPassword(null!, TestUsers.AdminPassword);
        await store.UpdateUserAsync(admin with { PasswordHash = weaker }, TestContext.Current.CancellationToken);

        using var browser = TestUsers.Browser(host.BaseAddress);
        await TestUsers.SignInAsync(browser);

        var rehashed = Convert.FromBase64String((await store.FindUserByNameAsync(TestUsers.AdminName, TestContext.Current.CancellationToken))!.PasswordHash!);
        System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(rehashed.AsSpan(5)).Should().Be(210_000u);
    }

    private static HttpRequestMessage Ingest(string path, string ndjson) =>
        new(HttpMethod.Post, path) { Content = new StringContent(ndjson + "\n", System.Text.Encoding.UTF8, "application/x-ndjson") };

    private static async Task<string> IssueKeyAsync(InProcessHost host, string source)
    {
        using var created = await host.Client.PostAsJsonAsync("/api/ingest-keys", new { name = source, source });
        var body = await created.Content.ReadAsStringAsync();
        created.StatusCode.Should().Be(HttpStatusCode.Created, body);
        var secret = JsonDocument.Parse(body).RootElement.GetProperty("secret").GetString()!;
        secret.Should().StartWith("smk_");
        return secret;
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SaasMonitor.Core.Alerting;
using SaasMonitor.Core.Identity;

namespace SaasMonitor.EndToEnd;

public sealed class AlertingApiHost() : HostFixture("--SaasMonitor:Alerting:AllowPrivateTargets=true");

/// <summary>The alerting API as users call it: the README's examples, reasons for bad input, secrets, audit, export and import, backtest.</summary>
public sealed class AlertingApiTests(AlertingApiHost fixture) : IClassFixture<AlertingApiHost>
{
    private InProcessHost Host => fixture.Host;

    [Fact]
    public async Task The_readme_examples_create_a_webhook_channel_and_a_count_rule_sending_to_it()
    {
        using var channel = await Host.Client.PostAsync("/api/alert-channels", Json("""{"name":"ops hook","type":"webhook","url":"http://127.0.0.1:9999/hook"}"""));
        var channelBody = await channel.Content.ReadAsStringAsync();
        channel.StatusCode.Should().Be(HttpStatusCode.Created, channelBody);
        var id = JsonDocument.Parse(channelBody).RootElement.GetProperty("id").GetString();

        using var rule = await Host.Client.PostAsync(
            "/api/alert-rules",
            Json($$"""{"name":"billing errors","kind":"count","query":"service:billing AND level:ERROR","window":"1m","operator":">","threshold":5,"for":"0s","channels":["{{id}}"]}"""));
        var ruleBody = await rule.Content.ReadAsStringAsync();

        rule.StatusCode.Should().Be(HttpStatusCode.Created, ruleBody);
        var created = JsonDocument.Parse(ruleBody).RootElement;
        created.GetProperty("condition").GetString().Should().Be("count of \"service:billing AND level:ERROR\" over 1m > 5");
        created.GetProperty("rule").GetProperty("channels")[0].GetString().Should().Be(id);
    }

    [Theory]
    [InlineData("""{"name":"x","query":"level:(ERROR","threshold":1}""", "Invalid query")]
    [InlineData("""{"name":"x","window":"5 minutes","threshold":1}""", "'window' must be a duration")]
    [InlineData("""{"name":"x","window":"1s","threshold":1}""", "between 10s and 7d")]
    [InlineData("""{"name":"x","query":"level:ERROR"}""", "'threshold' is required")]
    [InlineData("""{"name":"x","threshold":1,"operator":"=>"}""", "Unknown operator")]
    [InlineData("""{"name":"x","kind":"sometimes","threshold":1}""", "'kind' must be count, kpi, absence or anomaly")]
    [InlineData("""{"name":"x","kind":"kpi","threshold":1}""", "needs 'measure'")]
    [InlineData("""{"name":"x","threshold":1,"group_by":"message"}""", "'group_by' must be one of")]
    [InlineData("""{"name":"x","threshold":1,"channels":["nope"]}""", "no channel 'nope'")]
    [InlineData("""{"threshold":1}""", "'name' is required")]
    public async Task A_bad_rule_is_refused_with_a_400_that_says_why(string rule, string reason)
    {
        using var response = await Host.Client.PostAsync("/api/alert-rules", Json(rule));
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, body);
        body.Should().Contain(reason);
    }

    [Fact]
    public async Task Channel_secrets_are_stored_encrypted_and_never_answered()
    {
        using var created = await Host.Client.PostAsync(
            "/api/alert-channels",
            Json("""{"name":"mail","type":"email","smtp_host":"127.0.0.1","smtp_port":2525,"smtp_security":"none","smtp_user":"alerts","smtp_password":"plain-smtp-pass-7","from":"saasmon@example.com","to":["ops@example.com"]}"""));
        var body = await created.Content.ReadAsStringAsync();
        created.StatusCode.Should().Be(HttpStatusCode.Created, body);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        using var hook = await Host.Client.PostAsync("/api/alert-channels", Json("""{"name":"signed","type":"webhook","url":"http://127.0.0.1:9/h","secret":"whsec-plain-9"}"""));

        var list = await Host.Client.GetStringAsync("/api/alert-channels");
        (body + list + await hook.Content.ReadAsStringAsync()).Should().NotContain("plain-smtp-pass-7").And.NotContain("whsec-plain-9");
        list.Should().Contain("\"has_secret\":true");
        var stored = await Host.Services.GetRequiredService<IAlertStore>().GetChannelAsync(id, TestContext.Current.CancellationToken);
        stored!.ProtectedSecret.Should().NotBeNullOrEmpty().And.NotContain("plain-smtp-pass-7");
        byte[] files = [.. ReadIfThere(Path.Combine(Host.DataDirectory, "saasmon.db")), .. ReadIfThere(Path.Combine(Host.DataDirectory, "saasmon.db-wal"))];
        files.AsSpan().IndexOf("plain-smtp-pass-7"u8).Should().Be(-1, "the password is nowhere in the database files");
    }

    [Fact]
    public async Task Changes_to_rules_channels_and_silences_are_audited_with_who_made_them()
    {
        using var rule = await Host.Client.PostAsync("/api/alert-rules", Json("""{"name":"audited rule","query":"level:ERROR","threshold":1}"""));
        var id = JsonDocument.Parse(await rule.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        using var silence = await Host.Client.PostAsync("/api/silences", Json($$"""{"rule_id":"{{id}}","duration":"1h","comment":"deploy of billing"}"""));
        silence.StatusCode.Should().Be(HttpStatusCode.Created, await silence.Content.ReadAsStringAsync());
        (await Host.Client.DeleteAsync($"/api/alert-rules/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        foreach (var (action, target) in new[] { (AuditActions.AlertRuleSaved, id), (AuditActions.SilenceCreated, SilenceId(await silence.Content.ReadAsStringAsync())), (AuditActions.AlertRuleDeleted, id) })
        {
            var entries = (await Host.GetJsonAsync($"/api/audit?action={action}")).GetProperty("entries");
            entries.EnumerateArray().Should().Contain(e => e.GetProperty("actor").GetString() == TestUsers.AdminName && e.GetProperty("target").GetString() == target, action);
        }
    }

    [Fact]
    public async Task Rules_export_as_json_and_import_back_and_a_bad_import_saves_nothing()
    {
        using var created = await Host.Client.PostAsync("/api/alert-rules", Json("""{"name":"exported","kind":"absence","query":"service:heartbeat","window":"10m","group_by":"server","keep_firing":"2m"}"""));
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var export = await Host.Client.GetStringAsync("/api/alert-rules/export");
        var exported = JsonDocument.Parse(export).RootElement.EnumerateArray().Single(r => r.GetProperty("name").GetString() == "exported");
        exported.GetProperty("window").GetString().Should().Be("10m");
        exported.GetProperty("keep_firing").GetString().Should().Be("2m");

        var renamed = exported.GetRawText().Replace("\"exported\"", "\"imported\"", StringComparison.Ordinal);
        using var imported = await Host.Client.PostAsync("/api/alert-rules/import", Json($"[{renamed}]"));
        imported.StatusCode.Should().Be(HttpStatusCode.OK, await imported.Content.ReadAsStringAsync());
        var id = exported.GetProperty("id").GetString();
        (await Host.GetJsonAsync($"/api/alert-rules/{id}")).GetProperty("rule").GetProperty("name").GetString().Should().Be("imported");

        using var bad = await Host.Client.PostAsync("/api/alert-rules/import", Json($$"""[{"name":"fine","threshold":1},{"name":"broken","window":"x"}]"""));
        (await bad.Content.ReadAsStringAsync()).Should().Contain("Rule 2 (broken)");
        (await Host.Client.GetStringAsync("/api/alert-rules")).Should().NotContain("\"fine\"");
    }

    [Fact]
    public async Task A_preview_backtests_a_draft_rule_over_past_events_and_says_when_it_would_have_fired()
    {
        var lines = Enumerable.Range(0, 8).Select(i => $$"""{"level":"ERROR","service":"preview-svc","message":"boom {{i}}"}""");
        (await Host.IngestAsync(string.Join('\n', lines), "application/x-ndjson")).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await Eventually.HoldsAsync(async () => await Host.TotalAsync("service=preview-svc") == 8, TimeSpan.FromSeconds(30), "the preview events searchable");

        using var response = await Host.Client.PostAsync(
            "/api/alert-rules/preview",
            Json("""{"rule":{"name":"draft","query":"service:preview-svc AND level:ERROR","window":"1m","threshold":5},"hours":1}"""));
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        var preview = JsonDocument.Parse(body).RootElement;
        preview.GetProperty("step").GetString().Should().Be("1m");
        preview.GetProperty("points").EnumerateArray().Should().Contain(p => p.GetProperty("value").GetDouble() == 8);
        preview.GetProperty("transitions").EnumerateArray().Should().Contain(t => t.GetProperty("to").GetString() == "firing");
    }

    private static string? SilenceId(string json) => JsonDocument.Parse(json).RootElement.GetProperty("id").GetString();

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private static byte[] ReadIfThere(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        // The server holds the file open: read it shared.
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        file.CopyTo(copy);
        return copy.ToArray();
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SaasMonitor.EndToEnd;

/// <summary>
/// Alerts end to end on the all-in-one server: events ingested over HTTP, rules evaluated by the worker, messages
/// received by a local webhook and Slack-shaped receiver and a local SMTP server, each exactly once per transition.
/// </summary>
public sealed class AlertingTests : IAsyncLifetime
{
    private const string FiredAndResolved = "webhook: firing, resolved; slack: firing, resolved; mail: firing, resolved";

    private AlertReceivers _receivers = null!;
    private InProcessHost _host = null!;
    private string[] _channels = [];

    public async ValueTask InitializeAsync()
    {
        _receivers = await AlertReceivers.StartAsync();
        _host = await InProcessHost.StartAsync(Settings);
        _channels = await AlertingSteps.CreateChannelsAsync(_host.Client, _receivers);
    }

    /// <summary>A local receiver needs private targets allowed; a one-second evaluation keeps the test short.</summary>
    public static string[] Settings => ["--SaasMonitor:Alerting:AllowPrivateTargets=true", "--SaasMonitor:Alerting:EvaluationInterval=00:00:01"];

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receivers.DisposeAsync();
    }

    [Fact]
    public async Task A_count_rule_sends_one_firing_and_one_resolved_message_to_each_channel_as_errors_start_and_stop()
    {
        var rule = await AlertingSteps.CreateRuleAsync(_host.Client, "billing errors", "count", "service:billing AND level:ERROR", _channels, threshold: 5);

        await IngestAsync(Enumerable.Range(0, 8).Select(i => $$"""{"level":"ERROR","service":"billing","message":"payment failed <b>{{i}}</b>"}"""));
        await EventuallyReceivedAsync("billing errors", ["firing"]);
        await EventuallyReceivedAsync("billing errors", ["firing", "resolved"]);
        await AlertingSteps.EvaluatedSinceAsync(_host.Client, rule, evaluations: 3);

        _receivers.Received("billing errors").Should().Be(FiredAndResolved, "one message per transition, no more");
        var (body, raw, timestamp, signature) = _receivers.Webhooks.First(w => w.Body.GetProperty("kind").GetString() == "firing");
        signature.Should().Be($"t={timestamp},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(AlertingSteps.WebhookSecret), Encoding.UTF8.GetBytes($"{timestamp}.{raw}")))}");
        body.GetProperty("instances")[0].GetProperty("value").GetDouble().Should().Be(8);
        body.GetProperty("link").GetString().Should().Contain("/search?q=service%3Abilling%20AND%20level%3AERROR");
        body.GetProperty("sample_events").EnumerateArray().Should().Contain(e => e.GetString()!.Contains("payment failed <b>", StringComparison.Ordinal));
        var mail = _receivers.Mails.First(m => m.Subject == "[FIRING] billing errors");
        mail.HtmlBody.Should().BeNull("log content goes out as text only");
        mail.TextBody.Should().Contain("payment failed <b>").And.Contain("Condition: count of \"service:billing AND level:ERROR\" over 10s > 5");
        var deliveries = (await _host.GetJsonAsync($"/api/alerts/notifications?rule_id={rule}")).EnumerateArray().ToList();
        deliveries.Should().HaveCount(6).And.OnlyContain(d => d.GetProperty("status").GetString() == "sent");
        var mailed = deliveries.Single(d => d.GetProperty("kind").GetString() == "firing" && d.GetProperty("channel_id").GetString() == _channels[2]);
        mail.MessageId.Should().StartWith($"saasmon-alert-{mailed.GetProperty("id").GetInt64()}@", "a message sent again after a restart keeps its Message-ID");
    }

    [Fact]
    public async Task An_absence_rule_fires_when_a_server_stops_sending_and_resolves_when_it_resumes()
    {
        var rule = await AlertingSteps.CreateRuleAsync(_host.Client, "heartbeat stopped", "absence", "service:heartbeat", _channels, groupBy: "server");
        using var beating = new CancellationTokenSource();
        var heartbeats = HeartbeatsAsync("web-1", beating.Token);
        await Eventually.HoldsAsync(
            async () => (await _host.GetJsonAsync("/api/alerts")).EnumerateArray().Any(a => a.GetProperty("rule_id").GetString() == rule && a.GetProperty("group_key").GetString() == "web-1"),
            TimeSpan.FromSeconds(60),
            "the server known to the rule");

        await beating.CancelAsync();
        await heartbeats;
        await EventuallyReceivedAsync("heartbeat stopped", ["firing"]);
        using var resumed = new CancellationTokenSource();
        var again = HeartbeatsAsync("web-1", resumed.Token);
        await EventuallyReceivedAsync("heartbeat stopped", ["firing", "resolved"]);
        await resumed.CancelAsync();
        await again;

        _receivers.Received("heartbeat stopped").Should().Be(FiredAndResolved);
        _receivers.Webhooks.First(w => w.Body.GetProperty("rule").GetString() == "heartbeat stopped").Body.GetProperty("instances")[0].GetProperty("group_key").GetString().Should().Be("web-1");
        (await _host.GetJsonAsync($"/api/alerts/history?rule_id={rule}")).EnumerateArray().Select(t => t.GetProperty("to").GetString()).Should().Equal("normal", "firing");
    }

    [Fact]
    public async Task A_silence_records_the_firing_and_sends_nothing()
    {
        var rule = await AlertingSteps.CreateRuleAsync(_host.Client, "muted errors", "count", "service:muted AND level:ERROR", _channels, threshold: 1);
        using var silence = await _host.Client.PostAsJsonAsync("/api/silences", new { rule_id = rule, duration = "1h", comment = "planned maintenance" });
        silence.StatusCode.Should().Be(HttpStatusCode.Created, await silence.Content.ReadAsStringAsync());

        await IngestAsync(Enumerable.Range(0, 3).Select(i => $$"""{"level":"ERROR","service":"muted","message":"quiet {{i}}"}"""));
        await Eventually.HoldsAsync(
            async () => (await _host.GetJsonAsync($"/api/alerts/history?rule_id={rule}")).EnumerateArray().Any(t => t.GetProperty("to").GetString() == "firing" && t.GetProperty("silenced").GetBoolean()),
            TimeSpan.FromSeconds(60),
            "the firing recorded as silenced");
        await AlertingSteps.EvaluatedSinceAsync(_host.Client, rule, evaluations: 3);

        (await _host.GetJsonAsync($"/api/alerts/notifications?rule_id={rule}")).EnumerateArray().Should().HaveCount(3).And.OnlyContain(n => n.GetProperty("status").GetString() == "silenced");
        _receivers.Received("muted errors").Should().Be("webhook: ; slack: ; mail: ");
    }

    [Fact]
    public async Task Send_test_reaches_the_channel_and_reports_the_delivery()
    {
        using var sent = await _host.Client.PostAsync($"/api/alert-channels/{_channels[0]}/test", null);
        var body = await sent.Content.ReadAsStringAsync();

        sent.StatusCode.Should().Be(HttpStatusCode.OK, body);
        JsonDocument.Parse(body).RootElement.GetProperty("status").GetString().Should().Be("sent");
        _receivers.Webhooks.Should().Contain(w => w.Body.GetProperty("kind").GetString() == "test");
    }

    private async Task EventuallyReceivedAsync(string rule, string[] kinds) => await Eventually.HoldsAsync(
        () =>
        {
            var (webhook, slack, mail) = _receivers.KindsOf(rule);
            return Task.FromResult(webhook.SequenceEqual(kinds) && slack.SequenceEqual(kinds) && mail.SequenceEqual(kinds));
        },
        TimeSpan.FromSeconds(90),
        $"{string.Join(", ", kinds)} for '{rule}' on the webhook, Slack and e-mail");

    private async Task IngestAsync(IEnumerable<string> lines)
    {
        using var response = await _host.IngestAsync(string.Join('\n', lines), "application/x-ndjson");
        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
    }

    private async Task HeartbeatsAsync(string server, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await IngestAsync([$$"""{"level":"INFO","service":"heartbeat","server":"{{server}}","message":"alive"}"""]);
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

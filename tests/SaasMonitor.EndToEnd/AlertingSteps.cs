using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace SaasMonitor.EndToEnd;

/// <summary>What alerting tests do through the API: channels to the local receivers, rules, waiting for evaluations.</summary>
public static class AlertingSteps
{
    /// <summary>The signing secret of the webhook channel <see cref="CreateChannelsAsync"/> makes.</summary>
    public const string WebhookSecret = "whsec-e2e-3141";

    /// <summary>Webhook (signed), Slack-shaped and e-mail channels to <paramref name="receivers"/>.</summary>
    public static async Task<string[]> CreateChannelsAsync(HttpClient client, AlertReceivers receivers)
    {
        object[] bodies =
        [
            new { name = "hook", type = "webhook", url = new Uri(receivers.Address, "/hook").ToString(), secret = WebhookSecret },
            new { name = "slack", type = "slack", url = new Uri(receivers.Address, "/slack").ToString() },
            new { name = "mail", type = "email", smtp_host = "127.0.0.1", smtp_port = receivers.SmtpPort, smtp_security = "none", from = "saasmon@example.com", to = new[] { "ops@example.com" } },
        ];
        var ids = new List<string>();
        foreach (var body in bodies)
        {
            using var response = await client.PostAsJsonAsync("/api/alert-channels", body);
            var text = await response.Content.ReadAsStringAsync();
            response.StatusCode.Should().Be(HttpStatusCode.Created, text);
            ids.Add(JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!);
        }

        return [.. ids];
    }

    /// <summary>Creates a rule (with a ten-second window unless given); returns its id.</summary>
    public static async Task<string> CreateRuleAsync(HttpClient client, string name, string kind, string query, string[] channels, double? threshold = null, string? groupBy = null, string window = "10s")
    {
        using var response = await client.PostAsJsonAsync("/api/alert-rules", new { name, kind, query, window, threshold, group_by = groupBy, channels });
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Waits until the rule has been evaluated <paramref name="evaluations"/> more times (at one a second), so nothing more can be on its way.</summary>
    public static async Task EvaluatedSinceAsync(HttpClient client, string ruleId, int evaluations)
    {
        var since = DateTimeOffset.UtcNow;
        await Eventually.HoldsAsync(
            async () =>
            {
                using var doc = JsonDocument.Parse(await client.GetStringAsync($"/api/alert-rules/{ruleId}"));
                return doc.RootElement.TryGetProperty("last_evaluated_at", out var at) && at.GetDateTimeOffset() > since.AddSeconds(evaluations);
            },
            TimeSpan.FromSeconds(60),
            $"{evaluations} more evaluations of the rule");
        // Queued notifications are sent within the outbox's round.
        await Task.Delay(TimeSpan.FromSeconds(2));
    }
}

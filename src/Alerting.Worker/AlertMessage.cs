using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SaasMonitor.Core.Alerting;

namespace Alerting.Worker;

/// <summary>
/// One notification's content, whatever the channel: the rule, why it fired or resolved, the instances that changed
/// together, a link to the matching search and the first matching events (as text). Posted as is to webhooks.
/// </summary>
public sealed record AlertMessage(
    string RuleId,
    string Rule,
    NotificationKind Kind,
    string Condition,
    double Threshold,
    DateTimeOffset At,
    string Link,
    IReadOnlyList<AlertMessageInstance> Instances,
    IReadOnlyList<string> SampleEvents)
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>"[FIRING] billing errors", "[RESOLVED] billing errors", ...</summary>
    public string Title => $"[{Kind switch
    {
        NotificationKind.Firing or NotificationKind.Repeat => "FIRING",
        NotificationKind.Resolved => "RESOLVED",
        NotificationKind.NoData => "NO DATA",
        NotificationKind.Error => "ERROR",
        _ => "TEST",
    }}] {Rule}";

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static AlertMessage FromJson(string json) => JsonSerializer.Deserialize<AlertMessage>(json, Json)!;

    /// <summary>The condition in words, e.g. <c>count of "level:ERROR" over 1m &gt; 5</c>.</summary>
    public static string ConditionOf(AlertRule rule)
    {
        var window = Durations.Format(rule.Window);
        var per = rule.GroupBy is { } g ? $" per {g}" : "";
        var query = string.IsNullOrWhiteSpace(rule.Query) ? "all events" : $"\"{rule.Query}\"";
        var threshold = rule.Threshold.ToString(CultureInfo.InvariantCulture);
        return rule.Kind switch
        {
            AlertRuleKind.Absence => $"no events matching {query}{per} for {window}",
            AlertRuleKind.Anomaly => $"count of {query}{per} over {window} {rule.Operator.Symbol()} {threshold}× the mean of the {RuleSignals.BaselineWindows} windows before (at least {rule.MinVolume} events)",
            AlertRuleKind.Kpi => $"{rule.Measure switch
            {
                KpiMeasure.ErrorRate => "error rate",
                KpiMeasure.P95 => "p95 response time (ms)",
                KpiMeasure.P99 => "p99 response time (ms)",
                _ => "events per second",
            }}{per} over {window} {rule.Operator.Symbol()} {threshold}",
            _ => $"count of {query}{per} over {window} {rule.Operator.Symbol()} {threshold}",
        };
    }

    /// <summary>The dashboard's search for the rule's events over the smallest preset range that holds its window.</summary>
    public static string LinkOf(AlertRule rule, string publicUrl)
    {
        var range = rule.Window <= TimeSpan.FromMinutes(15) ? "now-15m"
            : rule.Window <= TimeSpan.FromHours(1) ? "now-1h"
            : rule.Window <= TimeSpan.FromHours(24) ? "now-24h"
            : "now-7d";
        return $"{publicUrl.TrimEnd('/')}/search?q={Uri.EscapeDataString(rule.Query)}&from={range}";
    }
}

public sealed record AlertMessageInstance(string GroupKey, AlertState State, double? Value, string? Error);

namespace SaasMonitor.Core.Alerting;

/// <summary>What a rule measures.</summary>
public enum AlertRuleKind
{
    /// <summary>Events matching <see cref="AlertRule.Query"/> in the window.</summary>
    Count,

    /// <summary>A KPI (<see cref="AlertRule.Measure"/>) over the window, from the KPI windows.</summary>
    Kpi,

    /// <summary>No events matching the query in the window (per group key): the value is the count, breaching when 0.</summary>
    Absence,

    /// <summary>The count in the window against the mean of the windows before it: the value is their ratio.</summary>
    Anomaly,
}

/// <summary>The KPIs a <see cref="AlertRuleKind.Kpi"/> rule can watch.</summary>
public enum KpiMeasure
{
    /// <summary>Errors per event, 0..1.</summary>
    ErrorRate,
    P95,
    P99,
    EventsPerSecond,
}

/// <summary>What a rule's instances do when there is nothing to measure, or when the measurement fails (as Grafana's alerting offers).</summary>
public enum MissingDataHandling
{
    /// <summary>Go to the NoData (or Error) state and say so.</summary>
    Report,

    /// <summary>Treat it as breaching.</summary>
    Alerting,

    /// <summary>Treat it as not breaching.</summary>
    Normal,

    /// <summary>Stay in the state the instance is in.</summary>
    KeepLast,
}

/// <summary>
/// An alert rule: a query or KPI, a condition over a window, an optional group-by (one instance per key), how long
/// the condition must hold before firing (<see cref="For"/>), how long an instance keeps firing after it stops
/// (<see cref="KeepFiring"/>), and where notifications go.
/// </summary>
public sealed record AlertRule
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public AlertRuleKind Kind { get; init; }
    /// <summary>Lucene query syntax over the events; empty matches all.</summary>
    public string Query { get; init; } = "";
    public KpiMeasure? Measure { get; init; }
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);
    public AlertOperator Operator { get; init; } = AlertOperator.Above;
    public double Threshold { get; init; }
    public TimeSpan For { get; init; }
    public TimeSpan KeepFiring { get; init; }
    /// <summary>One of <see cref="GroupFields.All"/>, or null for one instance.</summary>
    public string? GroupBy { get; init; }
    /// <summary>Anomaly rules: the fewest events in the window that may count as a spike.</summary>
    public long MinVolume { get; init; }
    public IReadOnlyList<string> Channels { get; init; } = [];
    /// <summary>How often a firing instance is notified again; zero never repeats.</summary>
    public TimeSpan RepeatInterval { get; init; } = TimeSpan.FromHours(4);
    public MissingDataHandling NoData { get; init; } = MissingDataHandling.Report;
    public MissingDataHandling OnError { get; init; } = MissingDataHandling.Report;
    public bool Enabled { get; init; } = true;
    public DateTimeOffset UpdatedAt { get; init; }
    public string? UpdatedBy { get; init; }
}

public enum AlertOperator
{
    Above,
    AtLeast,
    Below,
    AtMost,
}

public static class AlertOperators
{
    private static readonly (AlertOperator Operator, string Symbol)[] Symbols =
        [(AlertOperator.Above, ">"), (AlertOperator.AtLeast, ">="), (AlertOperator.Below, "<"), (AlertOperator.AtMost, "<=")];

    public static string Symbol(this AlertOperator op) => Symbols.First(s => s.Operator == op).Symbol;

    public static AlertOperator Parse(string symbol) =>
        Symbols.FirstOrDefault(s => s.Symbol == symbol.Trim()) is { Symbol: not null } found
            ? found.Operator
            : throw new InvalidAlertException($"Unknown operator '{symbol}': use >, >=, < or <=.");

    public static bool Holds(this AlertOperator op, double value, double threshold) => op switch
    {
        AlertOperator.Above => value > threshold,
        AlertOperator.AtLeast => value >= threshold,
        AlertOperator.Below => value < threshold,
        _ => value <= threshold,
    };
}

/// <summary>The event fields a rule can group its instances by.</summary>
public static class GroupFields
{
    public static readonly IReadOnlyList<string> All = ["service", "server", "endpoint", "source"];
}

/// <summary>A rule, channel or silence as given is not valid; the message says why (answered as 400).</summary>
public sealed class InvalidAlertException(string message) : Exception(message);

namespace SaasMonitor.Core.Alerting;

/// <summary>The states of an alert instance, as in Grafana's alerting.</summary>
public enum AlertState
{
    Normal,
    /// <summary>Breaching, but not yet for the rule's <see cref="AlertRule.For"/>.</summary>
    Pending,
    Firing,
    /// <summary>No longer breaching, kept firing for the rule's <see cref="AlertRule.KeepFiring"/>.</summary>
    Recovering,
    NoData,
    Error,
}

/// <summary>One alert instance: a rule and one value of its group-by ("" when it has none), with its durable state.</summary>
public sealed record AlertInstance
{
    public required string RuleId { get; init; }
    public string GroupKey { get; init; } = "";
    public AlertState State { get; init; }
    /// <summary>When the instance entered <see cref="State"/>.</summary>
    public DateTimeOffset StateSince { get; init; }
    /// <summary>When the condition started to hold, while pending.</summary>
    public DateTimeOffset? PendingSince { get; init; }
    public double? Value { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset? EvaluatedAt { get; init; }
    /// <summary>When a notification about this instance was last queued (sent or silenced).</summary>
    public DateTimeOffset? NotifiedAt { get; init; }
}

/// <summary>What one evaluation saw for one instance.</summary>
public readonly record struct Observation(ObservationKind Kind, double? Value = null, string? Error = null)
{
    public static Observation Of(bool breaching, double value) => new(breaching ? ObservationKind.Breaching : ObservationKind.Ok, value);
}

public enum ObservationKind
{
    Ok,
    Breaching,
    NoData,
    Error,
}

/// <summary>Why a notification is sent.</summary>
public enum NotificationKind
{
    Firing,
    Resolved,
    /// <summary>Still firing after the rule's repeat interval.</summary>
    Repeat,
    NoData,
    Error,
    /// <summary>A "send test" of a channel.</summary>
    Test,
}

/// <summary>A change of an instance's state, kept as the alert history.</summary>
public sealed record AlertTransition
{
    public long Id { get; init; }
    public required string RuleId { get; init; }
    public string GroupKey { get; init; } = "";
    public AlertState From { get; init; }
    public AlertState To { get; init; }
    public DateTimeOffset At { get; init; }
    public double? Value { get; init; }
    public NotificationKind? Notification { get; init; }
    /// <summary>The notification was recorded but not sent: a silence or maintenance window covered the instance.</summary>
    public bool Silenced { get; init; }
}

/// <summary>
/// The state machine of one instance: Normal → Pending (until the condition held for <see cref="AlertRule.For"/>) →
/// Firing → Recovering (for <see cref="AlertRule.KeepFiring"/>) → Normal with a resolved notice; NoData and Error
/// as the rule chooses. Pure: the same instance, observation and time always give the same answer.
/// </summary>
public static class AlertStateMachine
{
    public static (AlertInstance Next, NotificationKind? Notify) Step(AlertRule rule, AlertInstance current, Observation observation, DateTimeOffset now)
    {
        var kind = observation.Kind switch
        {
            ObservationKind.NoData => Handle(rule.NoData, ObservationKind.NoData),
            ObservationKind.Error => Handle(rule.OnError, ObservationKind.Error),
            var k => k,
        };
        var evaluated = current with { EvaluatedAt = now, Value = observation.Value, Error = observation.Error };
        var (next, notify) = kind switch
        {
            null => (evaluated, null),
            ObservationKind.NoData => Report(evaluated, AlertState.NoData, NotificationKind.NoData, now),
            ObservationKind.Error => Report(evaluated, AlertState.Error, NotificationKind.Error, now),
            ObservationKind.Breaching => Breaching(rule, evaluated, now),
            _ => Ok(rule, evaluated, now),
        };
        return (notify is null ? next : next with { NotifiedAt = now }, notify);
    }

    private static ObservationKind? Handle(MissingDataHandling handling, ObservationKind report) => handling switch
    {
        MissingDataHandling.Report => report,
        MissingDataHandling.Alerting => ObservationKind.Breaching,
        MissingDataHandling.Normal => ObservationKind.Ok,
        _ => null,
    };

    private static (AlertInstance, NotificationKind?) Report(AlertInstance i, AlertState state, NotificationKind kind, DateTimeOffset now) =>
        i.State == state ? (i, null) : (Enter(i, state, now), kind);

    private static (AlertInstance, NotificationKind?) Breaching(AlertRule rule, AlertInstance i, DateTimeOffset now) => i.State switch
    {
        AlertState.Firing => (i, rule.RepeatInterval > TimeSpan.Zero && now - (i.NotifiedAt ?? i.StateSince) >= rule.RepeatInterval ? NotificationKind.Repeat : null),
        AlertState.Recovering => (Enter(i, AlertState.Firing, now), null),
        AlertState.Pending when now - (i.PendingSince ?? now) >= rule.For => (Enter(i, AlertState.Firing, now), NotificationKind.Firing),
        AlertState.Pending => (i, null),
        _ when rule.For <= TimeSpan.Zero => (Enter(i, AlertState.Firing, now), NotificationKind.Firing),
        _ => (Enter(i, AlertState.Pending, now) with { PendingSince = now }, null),
    };

    private static (AlertInstance, NotificationKind?) Ok(AlertRule rule, AlertInstance i, DateTimeOffset now) => i.State switch
    {
        AlertState.Firing when rule.KeepFiring > TimeSpan.Zero => (Enter(i, AlertState.Recovering, now), null),
        AlertState.Recovering when now - i.StateSince < rule.KeepFiring => (i, null),
        AlertState.Firing or AlertState.Recovering or AlertState.NoData or AlertState.Error => (Enter(i, AlertState.Normal, now), NotificationKind.Resolved),
        AlertState.Pending => (Enter(i, AlertState.Normal, now), null),
        _ => (i, null),
    };

    private static AlertInstance Enter(AlertInstance i, AlertState state, DateTimeOffset now) =>
        i with { State = state, StateSince = now, PendingSince = null };
}

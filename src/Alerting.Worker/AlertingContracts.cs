using SaasMonitor.Core.Alerting;

namespace Alerting.Worker;

/// <summary>A rule as the API takes it, and as rules are exported and imported. Durations as 30s, 5m, 2h, 1d.</summary>
public sealed record RuleBody(
    string? Name,
    string? Kind = null,
    string? Query = null,
    string? Measure = null,
    string? Window = null,
    string? Operator = null,
    double? Threshold = null,
    string? For = null,
    string? KeepFiring = null,
    string? GroupBy = null,
    long? MinVolume = null,
    IReadOnlyList<string>? Channels = null,
    string? RepeatInterval = null,
    string? NoData = null,
    string? OnError = null,
    bool? Enabled = null,
    string? Id = null)
{
    public static RuleBody Of(AlertRule r) => new(
        r.Name,
        Snake(r.Kind),
        r.Query,
        r.Measure is { } m ? Snake(m) : null,
        Durations.Format(r.Window),
        r.Operator.Symbol(),
        r.Threshold,
        Durations.Format(r.For),
        Durations.Format(r.KeepFiring),
        r.GroupBy,
        r.MinVolume,
        r.Channels,
        Durations.Format(r.RepeatInterval),
        Snake(r.NoData),
        Snake(r.OnError),
        r.Enabled,
        r.Id);

    internal static string Snake<T>(T value)
        where T : struct, Enum => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}

/// <summary>A rule with its instances' state: the worst state among them, and when it was last evaluated.</summary>
public sealed record RuleView(string Id, RuleBody Rule, string Condition, string State, int Instances, int Firing, DateTimeOffset? LastEvaluatedAt, DateTimeOffset UpdatedAt, string? UpdatedBy)
{
    private static readonly AlertState[] Severity = [AlertState.Error, AlertState.Firing, AlertState.Recovering, AlertState.NoData, AlertState.Pending, AlertState.Normal];

    public static RuleView Of(AlertRule r, IReadOnlyList<AlertInstance> instances) => new(
        r.Id,
        RuleBody.Of(r),
        AlertMessage.ConditionOf(r),
        RuleBody.Snake(Severity.FirstOrDefault(s => instances.Any(i => i.State == s), AlertState.Normal)),
        instances.Count,
        instances.Count(i => i.State is AlertState.Firing or AlertState.Recovering),
        instances.Max(i => i.EvaluatedAt),
        r.UpdatedAt,
        r.UpdatedBy);
}

/// <summary>A channel as the API takes it. <see cref="Secret"/> (webhook) and <see cref="SmtpPassword"/> are stored encrypted and never answered; leave them out on a change to keep them.</summary>
public sealed record ChannelBody(
    string? Name,
    string? Type,
    string? Url = null,
    string? Secret = null,
    string? SmtpHost = null,
    int? SmtpPort = null,
    string? SmtpSecurity = null,
    string? SmtpUser = null,
    string? SmtpPassword = null,
    string? From = null,
    IReadOnlyList<string>? To = null);

public sealed record ChannelView(string Id, string Name, string Type, string? Url, bool HasSecret, string? SmtpHost, int? SmtpPort, string? SmtpSecurity, string? SmtpUser, string? From, IReadOnlyList<string>? To, DateTimeOffset UpdatedAt, string? UpdatedBy)
{
    public static ChannelView Of(AlertChannel c)
    {
        var email = c.Type == ChannelType.Email;
        return new(
            c.Id,
            c.Name,
            RuleBody.Snake(c.Type),
            c.Url,
            c.ProtectedSecret is not null,
            c.SmtpHost,
            email ? c.SmtpPort : null,
            email ? RuleBody.Snake(c.SmtpSecurity) : null,
            c.SmtpUser,
            c.From,
            email ? c.To : null,
            c.UpdatedAt,
            c.UpdatedBy);
    }
}

/// <summary>A weekly maintenance slot (UTC): days such as ["sat", "sun"] or ["monday"], start "02:00", duration "2h".</summary>
public sealed record RecurrenceBody(IReadOnlyList<string>? Days, string? Start, string? Duration)
{
    public Recurrence ToRecurrence()
    {
        var days = (Days ?? []).Select(d => Enum.GetValues<DayOfWeek>().FirstOrDefault(w => d.Length >= 3 && w.ToString().StartsWith(d, StringComparison.OrdinalIgnoreCase), (DayOfWeek)(-1))).ToList();
        if (days.Count == 0 || days.Contains((DayOfWeek)(-1)))
        {
            throw new InvalidAlertException("'recurrence.days' must list weekdays such as [\"sat\", \"sun\"].");
        }

        if (!TimeOnly.TryParseExact(Start, "HH:mm", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var start))
        {
            throw new InvalidAlertException("'recurrence.start' must be a UTC time of day such as \"02:00\".");
        }

        var duration = Durations.Parse(Duration, "recurrence.duration");
        return duration > TimeSpan.Zero && duration <= TimeSpan.FromDays(7)
            ? new Recurrence(days, start, duration)
            : throw new InvalidAlertException("'recurrence.duration' must be more than 0 and at most 7d.");
    }
}

/// <summary>A silence (or, with a recurrence, a maintenance window) as the API takes it: until <see cref="EndsAt"/>, or for <see cref="Duration"/> from <see cref="StartsAt"/> (default now).</summary>
public sealed record SilenceBody(string? RuleId, IReadOnlyDictionary<string, string>? Matchers, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, string? Duration, string? Comment, RecurrenceBody? Recurrence);

public sealed record SilenceView(string Id, string? RuleId, IReadOnlyDictionary<string, string> Matchers, DateTimeOffset StartsAt, DateTimeOffset EndsAt, RecurrenceBody? Recurrence, string Comment, string? CreatedBy, DateTimeOffset CreatedAt)
{
    public static SilenceView Of(Silence s) => new(
        s.Id,
        s.RuleId,
        s.Matchers,
        s.StartsAt,
        s.EndsAt,
        s.Recurrence is { } r ? new RecurrenceBody([.. r.Days.Select(d => d.ToString()[..3].ToLowerInvariant())], r.Start.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), Durations.Format(r.Duration)) : null,
        s.Comment,
        s.CreatedBy,
        s.CreatedAt);
}

public sealed record AlertView(string RuleId, string Rule, string GroupKey, string State, DateTimeOffset Since, double? Value, string? Error, DateTimeOffset? EvaluatedAt, DateTimeOffset? NotifiedAt)
{
    public static AlertView Of(AlertInstance i, string rule) =>
        new(i.RuleId, rule, i.GroupKey, RuleBody.Snake(i.State), i.StateSince, i.Value, i.Error, i.EvaluatedAt, i.NotifiedAt);
}

public sealed record TransitionView(long Id, string RuleId, string GroupKey, string From, string To, DateTimeOffset At, double? Value, string? Notification, bool Silenced)
{
    public static TransitionView Of(AlertTransition t) =>
        new(t.Id, t.RuleId, t.GroupKey, RuleBody.Snake(t.From), RuleBody.Snake(t.To), t.At, t.Value, t.Notification is { } n ? RuleBody.Snake(n) : null, t.Silenced);
}

/// <summary>One notification's delivery: its status, attempts and, when it failed, why.</summary>
public sealed record DeliveryView(long Id, string RuleId, string ChannelId, string Kind, string Status, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, DateTimeOffset? NextAttemptAt, string? LastError)
{
    public static DeliveryView Of(AlertNotification n) => new(
        n.Id,
        n.RuleId,
        n.ChannelId,
        RuleBody.Snake(n.Kind),
        RuleBody.Snake(n.Status),
        n.Attempts,
        n.CreatedAt,
        n.SentAt,
        n.Status == DeliveryStatus.Pending ? n.NextAttemptAt : null,
        n.LastError);
}

public sealed record PreviewRequest(RuleBody? Rule, double? Hours);

public sealed record PreviewPoint(DateTimeOffset At, string GroupKey, double? Value, AlertState State);

/// <summary>A backtest: the step between evaluations, each step's value and state, and the transitions (when it would have fired and resolved).</summary>
public sealed record PreviewResult(string Step, IReadOnlyList<PreviewPoint> Points, IReadOnlyList<TransitionView> Transitions);

namespace SaasMonitor.Core.Alerting;

/// <summary>
/// Mutes notifications of matching instances between <see cref="StartsAt"/> and <see cref="EndsAt"/> (their state
/// changes are still recorded). With a <see cref="Recurrence"/> it is a maintenance window: muted only inside the
/// recurring slots between those bounds.
/// </summary>
public sealed record Silence
{
    public required string Id { get; init; }
    /// <summary>Only this rule's instances; null for any rule the matchers match.</summary>
    public string? RuleId { get; init; }
    /// <summary>Labels an instance must all carry: "rule" (the rule's name) and the rule's group-by field.</summary>
    public IReadOnlyDictionary<string, string> Matchers { get; init; } = new Dictionary<string, string>();
    public DateTimeOffset StartsAt { get; init; }
    public DateTimeOffset EndsAt { get; init; }
    public Recurrence? Recurrence { get; init; }
    public string Comment { get; init; } = "";
    public string? CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    public bool Mutes(string ruleId, IReadOnlyDictionary<string, string> labels, DateTimeOffset at) =>
        at >= StartsAt && at < EndsAt
        && (RuleId is null || RuleId == ruleId)
        && Matchers.All(m => labels.TryGetValue(m.Key, out var v) && string.Equals(v, m.Value, StringComparison.Ordinal))
        && (Recurrence is null || Recurrence.Covers(at));
}

/// <summary>A weekly slot (UTC): on each of <see cref="Days"/> from <see cref="Start"/> for <see cref="Duration"/>.</summary>
public sealed record Recurrence(IReadOnlyList<DayOfWeek> Days, TimeOnly Start, TimeSpan Duration)
{
    public bool Covers(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        // A slot may run past midnight: look at the slots that began today and on the days before, up to its length.
        for (var back = 0; back <= (int)Math.Ceiling(Duration.TotalDays); back++)
        {
            var day = utc.Date.AddDays(-back);
            var begins = day + Start.ToTimeSpan();
            if (Days.Contains(day.DayOfWeek) && utc >= begins && utc < begins + Duration)
            {
                return true;
            }
        }

        return false;
    }
}

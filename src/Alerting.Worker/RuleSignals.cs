using SaasMonitor.Core.Alerting;
using SaasMonitor.Core.Kpis;
using SaasMonitor.Core.Search;

namespace Alerting.Worker;

/// <summary>What a rule observes at one moment, per group key ("" for a rule without group-by).</summary>
public interface IRuleSignals
{
    /// <summary>
    /// Observes <paramref name="rule"/> over the window ending at <paramref name="at"/>, for every group key that has
    /// data and for each of <paramref name="knownKeys"/> (instances that exist already).
    /// </summary>
    /// <exception cref="InvalidQueryException">The rule's query is not valid.</exception>
    Task<IReadOnlyDictionary<string, Observation>> ObserveAsync(AlertRule rule, IReadOnlyCollection<string> knownKeys, DateTimeOffset at, CancellationToken ct);
}

/// <summary>
/// Observes rules on the search store (counts, absence, anomaly) and the KPI windows (error rate, percentiles, rate).
/// Each evaluation is one or two bounded queries over the rule's window, on the time-partitioned index.
/// </summary>
internal sealed class RuleSignals(ISearchStore search, IKpiStore kpis) : IRuleSignals
{
    /// <summary>Most group keys one rule tracks.</summary>
    public const int MaxGroups = 500;

    /// <summary>Windows before the current one an anomaly rule takes its baseline from.</summary>
    public const int BaselineWindows = 12;

    /// <summary>Windows before the current one an absence rule with group-by looks at to learn which keys should be sending.</summary>
    public const int AbsenceLookbackWindows = 10;

    public async Task<IReadOnlyDictionary<string, Observation>> ObserveAsync(AlertRule rule, IReadOnlyCollection<string> knownKeys, DateTimeOffset at, CancellationToken ct)
    {
        var values = new Dictionary<string, Observation>();
        switch (rule.Kind)
        {
            case AlertRuleKind.Count:
                foreach (var (key, count) in await CountAsync(rule, at - rule.Window, at, ct).ConfigureAwait(false))
                {
                    values[key] = Observation.Of(rule.Operator.Holds(count, rule.Threshold), count);
                }

                AddMissing(values, knownKeys, Observation.Of(rule.Operator.Holds(0, rule.Threshold), 0));
                break;
            case AlertRuleKind.Absence:
                var counts = await CountAsync(rule, at - rule.Window, at, ct).ConfigureAwait(false);
                var expected = rule.GroupBy is null
                    ? [""]
                    : (await CountAsync(rule, at - (rule.Window * (AbsenceLookbackWindows + 1)), at, ct).ConfigureAwait(false)).Keys.Concat(knownKeys);
                foreach (var key in expected.Distinct())
                {
                    var count = counts.GetValueOrDefault(key);
                    values[key] = Observation.Of(count == 0, count);
                }

                break;
            case AlertRuleKind.Anomaly:
                var now = await CountAsync(rule, at - rule.Window, at, ct).ConfigureAwait(false);
                var before = await CountAsync(rule, at - (rule.Window * (BaselineWindows + 1)), at - rule.Window, ct).ConfigureAwait(false);
                foreach (var key in now.Keys.Concat(before.Keys).Concat(knownKeys).Distinct())
                {
                    var count = now.GetValueOrDefault(key);
                    var ratio = Math.Round(count / Math.Max(1.0, before.GetValueOrDefault(key) / (double)BaselineWindows), 3);
                    values[key] = Observation.Of(count >= rule.MinVolume && rule.Operator.Holds(ratio, rule.Threshold), ratio);
                }

                break;
            default:
                await ObserveKpiAsync(rule, knownKeys, at, values, ct).ConfigureAwait(false);
                break;
        }

        if (rule.GroupBy is null && values.Count == 0)
        {
            values[""] = new Observation(ObservationKind.NoData);
        }

        return values;
    }

    /// <summary>The search query of a rule's events over [from, to), narrowed to one group key when given.</summary>
    public static SearchQuery Query(AlertRule rule, DateTimeOffset from, DateTimeOffset to, string? groupKey = null)
    {
        var text = rule.Query;
        if (rule.GroupBy is { } field && groupKey is not null)
        {
            var match = $"{field}:\"{groupKey.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
            text = string.IsNullOrWhiteSpace(text) ? match : $"({text}) AND {match}";
        }

        return new SearchQuery { Text = text, From = from, To = to };
    }

    private static void AddMissing(Dictionary<string, Observation> values, IEnumerable<string> keys, Observation missing)
    {
        foreach (var key in keys)
        {
            values.TryAdd(key, missing);
        }
    }

    private async Task<IReadOnlyDictionary<string, long>> CountAsync(AlertRule rule, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var query = Query(rule, from, to);
        if (rule.GroupBy is not { } field)
        {
            return new Dictionary<string, long> { [""] = await search.CountAsync(query, ct).ConfigureAwait(false) };
        }

        var terms = await search.TermsAsync(query, field, MaxGroups, ct).ConfigureAwait(false);
        return terms.ToDictionary(t => t.Term, t => t.Count);
    }

    private async Task ObserveKpiAsync(AlertRule rule, IReadOnlyCollection<string> knownKeys, DateTimeOffset at, Dictionary<string, Observation> values, CancellationToken ct)
    {
        var from = at - rule.Window;
        var windows = await kpis.QueryAsync(new KpiQuery(KpiGranularity.Minute, from.AddTicks(-(from.UtcTicks % TimeSpan.TicksPerMinute)), at), ct).ConfigureAwait(false);
        var groups = windows.GroupBy(w => rule.GroupBy switch
        {
            "service" => w.Key.Service,
            "endpoint" => w.Key.Endpoint,
            _ => "",
        });
        foreach (var group in groups)
        {
            var merged = new KpiWindow { Granularity = KpiGranularity.Minute, Start = from, Key = default };
            foreach (var w in group)
            {
                merged.Merge(w);
            }

            double? value = rule.Measure switch
            {
                KpiMeasure.ErrorRate when merged.Count > 0 => Math.Round((double)merged.Errors / merged.Count, 4),
                KpiMeasure.P95 when merged.ResponseCount > 0 => merged.Latency.Quantile(0.95),
                KpiMeasure.P99 when merged.ResponseCount > 0 => merged.Latency.Quantile(0.99),
                KpiMeasure.EventsPerSecond => Math.Round(merged.Count / rule.Window.TotalSeconds, 3),
                _ => null,
            };
            values[group.Key] = value is { } v ? Observation.Of(rule.Operator.Holds(v, rule.Threshold), v) : new Observation(ObservationKind.NoData);
        }

        AddMissing(values, knownKeys, new Observation(ObservationKind.NoData));
    }
}

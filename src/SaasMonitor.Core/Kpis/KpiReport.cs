using SaasMonitor.Core.Search;

namespace SaasMonitor.Core.Kpis;

/// <summary>Headline figures over a set of windows. Response-time figures are null when no event carried one.</summary>
public sealed record KpiTotals(
    long Events,
    long Errors,
    double ErrorRatePercent,
    double? AvgResponseMs,
    double? P50Ms,
    double? P95Ms,
    double? P99Ms,
    double? MaxResponseMs,
    long DistinctUsers);

public sealed record ServiceErrorRate(string Service, long Events, long Errors, double ErrorRatePercent);

public sealed record EndpointLatency(string Service, string Endpoint, long Count, double AvgResponseMs, double P95Ms, double MaxResponseMs);

public sealed record EndpointCount(string Service, string Endpoint, long Count, long Errors);

public readonly record struct StatusCount(int StatusCode, long Count);

/// <summary>Errors that fell on a day of the week (UTC) at an hour of the day (0-23).</summary>
public readonly record struct HeatmapCell(DayOfWeek Day, int Hour, long Errors);

/// <summary>The dashboard's KPI calculations: pure functions over windows read from an <see cref="IKpiStore"/>.</summary>
public static class KpiReport
{
    /// <summary>The granularity to read for a time range: up to 6 hours minutes, up to 7 days hours, else days.</summary>
    public static KpiGranularity GranularityFor(DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is null)
        {
            return KpiGranularity.Day;
        }

        var span = (to ?? DateTimeOffset.UtcNow) - from.Value;
        return span <= TimeSpan.FromHours(6) ? KpiGranularity.Minute
            : span <= TimeSpan.FromDays(7) ? KpiGranularity.Hour
            : KpiGranularity.Day;
    }

    public static KpiTotals Totals(IEnumerable<KpiWindow> windows, IEnumerable<UserWindow> users)
    {
        var all = new KpiWindow { Granularity = KpiGranularity.Day, Start = default, Key = default };
        foreach (var w in windows)
        {
            all.Merge(w);
        }

        var distinct = new DistinctCounter();
        foreach (var u in users)
        {
            distinct.Merge(u.Users);
        }

        var responses = all.ResponseCount > 0;
        return new KpiTotals(
            all.Count,
            all.Errors,
            Percent(all.Errors, all.Count),
            responses ? all.ResponseSumMs / all.ResponseCount : null,
            responses ? all.Latency.Quantile(0.50) : null,
            responses ? all.Latency.Quantile(0.95) : null,
            responses ? all.Latency.Quantile(0.99) : null,
            responses ? all.ResponseMaxMs : null,
            distinct.Estimate());
    }

    /// <summary>How the reports name the service or endpoint of events that have none.</summary>
    public const string None = "(none)";

    /// <summary>Highest error rate first.</summary>
    public static IReadOnlyList<ServiceErrorRate> ErrorRateByService(IEnumerable<KpiWindow> windows)
    {
        var byService = new Dictionary<string, (long Events, long Errors)>();
        foreach (var w in windows)
        {
            var (events, errors) = byService.GetValueOrDefault(w.Key.Service);
            byService[w.Key.Service] = (events + w.Count, errors + w.Errors);
        }

        return byService
            .Select(p => new ServiceErrorRate(Named(p.Key), p.Value.Events, p.Value.Errors, Percent(p.Value.Errors, p.Value.Events)))
            .OrderByDescending(s => s.ErrorRatePercent)
            .ThenBy(s => s.Service, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Endpoints (per service) with the highest average response time, with p95 and the number of timed events.</summary>
    public static IReadOnlyList<EndpointLatency> SlowestEndpoints(IEnumerable<KpiWindow> windows, int top) =>
        MergeByEndpoint(windows.Where(w => w.ResponseCount > 0))
            .Select(w => new EndpointLatency(
                Named(w.Key.Service),
                Named(w.Key.Endpoint),
                w.ResponseCount,
                w.ResponseSumMs / w.ResponseCount,
                w.Latency.Quantile(0.95),
                w.ResponseMaxMs))
            .OrderByDescending(e => e.AvgResponseMs)
            .ThenBy(e => e.Service, StringComparer.Ordinal)
            .ThenBy(e => e.Endpoint, StringComparer.Ordinal)
            .Take(top)
            .ToList();

    /// <summary>Endpoints (per service) with the most events.</summary>
    public static IReadOnlyList<EndpointCount> TopEndpoints(IEnumerable<KpiWindow> windows, int top) =>
        MergeByEndpoint(windows)
            .Select(w => new EndpointCount(Named(w.Key.Service), Named(w.Key.Endpoint), w.Count, w.Errors))
            .OrderByDescending(e => e.Count)
            .ThenBy(e => e.Service, StringComparer.Ordinal)
            .ThenBy(e => e.Endpoint, StringComparer.Ordinal)
            .Take(top)
            .ToList();

    /// <summary>Errors per UTC hour from hour (or minute) windows, oldest first, hours without errors included as 0.</summary>
    public static IReadOnlyList<TimeBucket> ErrorsPerHour(IEnumerable<KpiWindow> hourWindows) =>
        Series(hourWindows.Select(w => (KpiGranularity.Hour.WindowStart(w.Start), w.Errors)), KpiGranularity.Hour.Length());

    /// <summary>Events per window start (the windows' granularity), oldest first, empty windows between included as 0.</summary>
    public static IReadOnlyList<TimeBucket> CountsPerBucket(IEnumerable<KpiWindow> windows)
    {
        var list = windows as IReadOnlyCollection<KpiWindow> ?? windows.ToList();
        return list.Count == 0 ? [] : Series(list.Select(w => (w.Start, w.Count)), list.First().Granularity.Length());
    }

    /// <summary>Events per level, most frequent first.</summary>
    public static IReadOnlyList<TermCount> LevelDistribution(IEnumerable<KpiWindow> windows) =>
        Sum(windows, w => w.Key.Level)
            .Select(p => new TermCount(p.Key, p.Value))
            .OrderByDescending(t => t.Count)
            .ThenBy(t => t.Term, StringComparer.Ordinal)
            .ToList();

    /// <summary>Events per HTTP status code, by code; events without a status are left out.</summary>
    public static IReadOnlyList<StatusCount> StatusDistribution(IEnumerable<KpiWindow> windows) =>
        Sum(windows.Where(w => w.Key.StatusCode != 0), w => w.Key.StatusCode)
            .Select(p => new StatusCount(p.Key, p.Value))
            .OrderBy(s => s.StatusCode)
            .ToList();

    /// <summary>All 168 (day of week, hour of day) cells, Sunday 00:00 first, with the errors of hour (or minute) windows, in UTC.</summary>
    public static IReadOnlyList<HeatmapCell> ErrorHeatmap(IEnumerable<KpiWindow> hourWindows)
    {
        var errors = new long[7 * 24];
        foreach (var w in hourWindows)
        {
            var utc = w.Start.UtcDateTime;
            errors[((int)utc.DayOfWeek * 24) + utc.Hour] += w.Errors;
        }

        var cells = new HeatmapCell[errors.Length];
        for (var i = 0; i < cells.Length; i++)
        {
            cells[i] = new HeatmapCell((DayOfWeek)(i / 24), i % 24, errors[i]);
        }

        return cells;
    }

    private static double Percent(long part, long whole) => whole == 0 ? 0 : part * 100.0 / whole;

    private static IEnumerable<KpiWindow> MergeByEndpoint(IEnumerable<KpiWindow> windows)
    {
        var merged = new Dictionary<(string Service, string Endpoint), KpiWindow>();
        foreach (var w in windows)
        {
            if (w.Key.Endpoint.Length == 0)
            {
                continue;
            }

            if (!merged.TryGetValue((w.Key.Service, w.Key.Endpoint), out var into))
            {
                into = new KpiWindow { Granularity = w.Granularity, Start = w.Start, Key = w.Key with { Level = "", StatusCode = 0 } };
                merged.Add((w.Key.Service, w.Key.Endpoint), into);
            }

            into.Merge(w);
        }

        return merged.Values;
    }

    private static Dictionary<T, long> Sum<T>(IEnumerable<KpiWindow> windows, Func<KpiWindow, T> by)
        where T : notnull
    {
        var sums = new Dictionary<T, long>();
        foreach (var w in windows)
        {
            var key = by(w);
            sums[key] = sums.GetValueOrDefault(key) + w.Count;
        }

        return sums;
    }

    private static List<TimeBucket> Series(IEnumerable<(DateTimeOffset Start, long Value)> points, TimeSpan step)
    {
        var sums = new SortedDictionary<DateTimeOffset, long>();
        foreach (var (start, value) in points)
        {
            sums[start] = sums.GetValueOrDefault(start) + value;
        }

        var series = new List<TimeBucket>();
        if (sums.Count == 0)
        {
            return series;
        }

        var last = sums.Keys.Last();
        for (var t = sums.Keys.First(); t <= last; t += step)
        {
            series.Add(new TimeBucket(t, sums.GetValueOrDefault(t)));
        }

        return series;
    }

    private static string Named(string keyPart) => keyPart.Length == 0 ? None : keyPart;
}

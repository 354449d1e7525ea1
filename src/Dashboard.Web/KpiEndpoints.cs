using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Caching;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Kpis;
using SaasMonitor.Core.Search;
using SaasMonitor.Hosting;
using SaasMonitor.Hosting.Security;

namespace Dashboard.Web;

/// <summary>
/// KPIs and chart data, computed from the aggregator's rolled-up windows (never by scanning events) and cached
/// until the aggregator applies its next batch, or for <see cref="DashboardOptions.KpiCacheTtl"/> at most.
/// Time ranges: from / to as ISO-8601 or now-24h.
/// </summary>
internal static class KpiEndpoints
{
    public static void MapKpis(this WebApplication app)
    {
        app.MapGet("/api/stats", StatsAsync).WithTags("KPIs").WithName("Stats").RequireAuthorization(Policies.Viewer)
            .WithSummary("Headline KPIs: totals, last 24 h, today, error rate, response-time average and percentiles, distinct users, error rate by service, slowest endpoints, latest error.")
            .Produces<StatsResponse>();
        var charts = app.MapGroup("/api/charts").WithTags("Charts").RequireAuthorization(Policies.Viewer);
        charts.MapGet("/logs-per-hour", (HttpRequest r, Kpis k, CancellationToken ct) =>
                k.ChartAsync(r, "logs-per-hour", TimeSpan.FromHours(24), KpiGranularity.Hour, KpiReport.CountsPerBucket, ct))
            .WithName("LogsPerHour").WithSummary("Events per hour (default: last 24 h; at most 31 days).");
        charts.MapGet("/errors-per-hour", (HttpRequest r, Kpis k, CancellationToken ct) =>
                k.ChartAsync(r, "errors-per-hour", TimeSpan.FromHours(24), KpiGranularity.Hour, KpiReport.ErrorsPerHour, ct))
            .WithName("ErrorsPerHour").WithSummary("Errors (ERROR and CRITICAL) per hour (default: last 24 h; at most 31 days).");
        charts.MapGet("/levels", (HttpRequest r, Kpis k, CancellationToken ct) =>
                k.ChartAsync(r, "levels", null, null, KpiReport.LevelDistribution, ct))
            .WithName("LevelDistribution").WithSummary("Events per level (default: all time).");
        charts.MapGet("/status-codes", (HttpRequest r, Kpis k, CancellationToken ct) =>
                k.ChartAsync(r, "status-codes", null, null, KpiReport.StatusDistribution, ct))
            .WithName("StatusDistribution").WithSummary("Events per HTTP status code (default: all time).");
        charts.MapGet("/top-endpoints", (HttpRequest r, Kpis k, CancellationToken ct) =>
                k.ChartAsync(r, "top-endpoints", null, null, w => KpiReport.TopEndpoints(w, Limit(r)), ct))
            .WithName("TopEndpoints").WithSummary("Endpoints with the most events (limit, default 10).");
        charts.MapGet("/slowest-endpoints", (HttpRequest r, Kpis k, CancellationToken ct) =>
                k.ChartAsync(r, "slowest-endpoints", null, null, w => KpiReport.SlowestEndpoints(w, Limit(r)), ct))
            .WithName("SlowestEndpoints").WithSummary("Endpoints with the highest average response time, with p95 (limit, default 10).");
        charts.MapGet("/error-rate-by-service", (HttpRequest r, Kpis k, CancellationToken ct) =>
                k.ChartAsync(r, "error-rate-by-service", null, null, KpiReport.ErrorRateByService, ct))
            .WithName("ErrorRateByService").WithSummary("Error rate per service, highest first.");
        charts.MapGet("/error-heatmap", (HttpRequest r, Kpis k, CancellationToken ct) =>
                k.ChartAsync(r, "error-heatmap", TimeSpan.FromDays(7), KpiGranularity.Hour, KpiReport.ErrorHeatmap, ct))
            .WithName("ErrorHeatmap").WithSummary("Errors by day of week × hour of day, UTC (default: last 7 days).");
    }

    private static async Task<IResult> StatsAsync(Kpis kpis, ISearchStore search, CancellationToken ct) => Results.Ok(await kpis.StatsAsync(search, ct).ConfigureAwait(false));

    private static int Limit(HttpRequest r) =>
        int.TryParse(r.Query["limit"], out var n) ? Math.Clamp(n, 1, 100) : 10;
}

/// <summary>
/// Reads windows for a time range and shapes them, through the hot cache, kept at most
/// <see cref="DashboardOptions.KpiCacheTtl"/> (the aggregator invalidates them where the cache reaches it).
/// </summary>
internal sealed class Kpis(IKpiStore store, IHotCache cache, TimeProvider time, IOptions<DashboardOptions> options)
{
    /// <summary>How long an answer about a range relative to now is kept at most, as "now" moves on.</summary>
    private static readonly TimeSpan RelativeRangeTtl = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan MaxHourlyRange = TimeSpan.FromDays(31);

    private readonly TimeSpan _cacheTtl = options.Value.KpiCacheTtl;

    /// <summary>A chart for the request's from / to (the REST API's form).</summary>
    public async Task<IResult> ChartAsync<T>(
        HttpRequest request,
        string name,
        TimeSpan? defaultRange,
        KpiGranularity? granularity,
        Func<IReadOnlyList<KpiWindow>, T> shape,
        CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var from = SearchParameters.Time(request.Query["from"].ToString(), now, "from") ?? (defaultRange is { } r ? now - r : null);
        var to = SearchParameters.Time(request.Query["to"].ToString(), now, "to");
        return Results.Ok(await ChartAsync($"{name}:{request.Query["limit"]}", from, to, granularity, shape, ct).ConfigureAwait(false));
    }

    /// <summary>A chart over [<paramref name="from"/>, <paramref name="to"/>), cached under <paramref name="name"/> (which names the shape).</summary>
    public async Task<ChartResponse<T>> ChartAsync<T>(
        string name,
        DateTimeOffset? from,
        DateTimeOffset? to,
        KpiGranularity? granularity,
        Func<IReadOnlyList<KpiWindow>, T> shape,
        CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (granularity == KpiGranularity.Hour && (to ?? now) - (from ?? DateTimeOffset.MinValue) > MaxHourlyRange)
        {
            throw new ArgumentException("Hourly charts cover at most 31 days; narrow from / to.");
        }

        var g = granularity ?? KpiReport.GranularityFor(from, to);
        var key = $"{name}:{g}:{from?.ToUnixTimeSeconds()}:{to?.ToUnixTimeSeconds()}";
        return await cache.GetOrCreateAsync(CacheRegions.Kpi, key, TimeSpanFor(from), async c =>
        {
            var windows = await store.QueryAsync(new KpiQuery(g, from, to), c).ConfigureAwait(false);
            return new ChartResponse<T>(g.ToString().ToLowerInvariant(), from, to, shape(windows));
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Headline figures over [<paramref name="from"/>, <paramref name="to"/>), distinct users included, from the windows of the range's granularity.</summary>
    public async Task<KpiTotals> TotalsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var g = KpiReport.GranularityFor(from, to);
        var start = g.WindowStart(from);
        return await cache.GetOrCreateAsync(CacheRegions.Kpi, $"totals:{g}:{start.ToUnixTimeSeconds()}:{to.ToUnixTimeSeconds()}", TimeSpanFor(from), async c =>
        {
            var query = new KpiQuery(g, start, to);
            return KpiReport.Totals(
                await store.QueryAsync(query, c).ConfigureAwait(false),
                await store.QueryUsersAsync(query, c).ConfigureAwait(false));
        }, ct).ConfigureAwait(false);
    }

    public async Task<StatsResponse> StatsAsync(ISearchStore search, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var stats = await cache.GetOrCreateAsync(CacheRegions.Kpi, "stats", _cacheTtl, async c =>
        {
            var all = await store.QueryAsync(new KpiQuery(KpiGranularity.Day), c).ConfigureAwait(false);
            var allUsers = await store.QueryUsersAsync(new KpiQuery(KpiGranularity.Day), c).ConfigureAwait(false);
            var dayAgo = KpiGranularity.Hour.WindowStart(now - TimeSpan.FromHours(24));
            var lastDay = await store.QueryAsync(new KpiQuery(KpiGranularity.Hour, dayAgo), c).ConfigureAwait(false);
            var lastDayUsers = await store.QueryUsersAsync(new KpiQuery(KpiGranularity.Hour, dayAgo), c).ConfigureAwait(false);
            var today = KpiGranularity.Day.WindowStart(now);
            var latestError = await search.SearchAsync(
                new SearchRequest(new SearchQuery { Levels = [LogLevels.Error, LogLevels.Critical] }) { Size = 1 }, c).ConfigureAwait(false);
            var totals = KpiReport.Totals(all, allUsers);
            return new StatsResponse(
                totals.Events,
                totals.Errors,
                Math.Round(totals.ErrorRatePercent, 3),
                Round(totals.AvgResponseMs),
                Round(totals.P50Ms),
                Round(totals.P95Ms),
                Round(totals.P99Ms),
                Round(totals.MaxResponseMs),
                totals.DistinctUsers,
                all.Where(w => w.Start == today).Sum(w => w.Count),
                KpiReport.Totals(lastDay, lastDayUsers),
                KpiReport.ErrorRateByService(all),
                KpiReport.SlowestEndpoints(all, 5),
                latestError.Hits.FirstOrDefault(),
                LatencySketch.RelativeAccuracy * 100);
        }, ct).ConfigureAwait(false);
        return stats;
    }

    private static double? Round(double? v) => v is { } x ? Math.Round(x, 2) : null;

    private TimeSpan TimeSpanFor(DateTimeOffset? from) => from is null || _cacheTtl < RelativeRangeTtl ? _cacheTtl : RelativeRangeTtl;
}

public sealed record ChartResponse<T>(string Granularity, DateTimeOffset? From, DateTimeOffset? To, T Data);

/// <summary>Answer of GET /api/stats. Percentiles are within <see cref="PercentileErrorPercent"/> % of the exact value.</summary>
public sealed record StatsResponse(
    long TotalLogs,
    long ErrorCount,
    double ErrorRate,
    double? AvgResponseTimeMs,
    double? P50ResponseTimeMs,
    double? P95ResponseTimeMs,
    double? P99ResponseTimeMs,
    double? MaxResponseTimeMs,
    long DistinctUsers,
    long LogsToday,
    KpiTotals Last24h,
    IReadOnlyList<ServiceErrorRate> ErrorRateByService,
    IReadOnlyList<EndpointLatency> SlowestEndpoints,
    LogEvent? LatestError,
    double PercentileErrorPercent);

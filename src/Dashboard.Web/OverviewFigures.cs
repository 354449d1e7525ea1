using SaasMonitor.Core.Kpis;
using SaasMonitor.Core.Search;

namespace Dashboard.Web;

/// <summary>
/// Everything the overview page shows for a range ending now, read through <see cref="Kpis"/> and so through the hot
/// cache: all-time stats, the range's totals and the period before it, events per hour over the last 24 hours, the
/// level distribution and the error heatmap of the last 7 days.
/// </summary>
internal sealed record OverviewFigures(
    StatsResponse Stats,
    KpiTotals Totals,
    KpiTotals Previous,
    DateTimeOffset FirstHour,
    IReadOnlyList<TimeBucket> PerHour,
    IReadOnlyList<TermCount> Levels,
    IReadOnlyList<HeatmapCell> Heatmap)
{
    public static async Task<OverviewFigures> LoadAsync(Kpis kpis, ISearchStore search, TimeSpan span, DateTimeOffset now, CancellationToken ct)
    {
        var stats = await kpis.StatsAsync(search, ct).ConfigureAwait(false);
        var totals = await kpis.TotalsAsync(now - span, now, ct).ConfigureAwait(false);
        var previous = await kpis.TotalsAsync(now - span - span, now - span, ct).ConfigureAwait(false);
        var firstHour = KpiGranularity.Hour.WindowStart(now.AddHours(-23));
        var perHour = await kpis.ChartAsync("logs-per-hour", firstHour, null, KpiGranularity.Hour, KpiReport.CountsPerBucket, ct).ConfigureAwait(false);
        var levels = await kpis.ChartAsync("levels", null, null, null, KpiReport.LevelDistribution, ct).ConfigureAwait(false);
        var heatmap = await kpis.ChartAsync("error-heatmap", now.AddDays(-7), null, KpiGranularity.Hour, KpiReport.ErrorHeatmap, ct).ConfigureAwait(false);
        return new OverviewFigures(stats, totals, previous, firstHour, perHour.Data, levels.Data, heatmap.Data);
    }
}

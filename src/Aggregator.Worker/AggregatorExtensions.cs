using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Kpis;
using SaasMonitor.Hosting;

namespace Aggregator.Worker;

public static class AggregatorExtensions
{
    private const int HourWindowDays = 90;

    /// <summary>The aggregator worker: events → KPI windows.</summary>
    public static WebApplicationBuilder AddAggregatorWorker(this WebApplicationBuilder builder)
    {
        builder.Services.AddConsumerModule<AggregatorService>(PipelineModule.Aggregator, AggregatorService.GroupName, t => t.Events);
        builder.Services.AddHousekeeping("KPI retention", TimeSpan.FromHours(1), async (sp, ct) =>
        {
            // Minute windows live as long as events; hour windows 90 days (for heatmaps); day windows are kept.
            var days = sp.GetRequiredService<IOptions<SaasMonitorOptions>>().Value.RetentionDays;
            var now = sp.GetRequiredService<TimeProvider>().GetUtcNow();
            var kpis = sp.GetRequiredService<IKpiStore>();
            await kpis.DeleteOlderThanAsync(KpiGranularity.Minute, now.AddDays(-days), ct).ConfigureAwait(false);
            await kpis.DeleteOlderThanAsync(KpiGranularity.Hour, now.AddDays(-Math.Max(days, HourWindowDays)), ct).ConfigureAwait(false);
        });
        return builder;
    }
}

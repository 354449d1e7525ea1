using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Kpis;
using SaasMonitor.Hosting;

namespace Aggregator.Worker;

public static class AggregatorExtensions
{
    /// <summary>The aggregator worker: events → KPI windows.</summary>
    public static WebApplicationBuilder AddAggregatorWorker(this WebApplicationBuilder builder)
    {
        builder.Services.AddConsumerModule<AggregatorService>(PipelineModule.Aggregator, AggregatorService.GroupName, t => t.Events);
        builder.Services.AddHousekeeping("KPI retention", TimeSpan.FromHours(1), (sp, ct) =>
        {
            // Minute windows live as long as indexed events; hour and day windows are small and kept.
            var days = sp.GetRequiredService<IOptions<SaasMonitorOptions>>().Value.EventRetentionDays;
            return days == 0
                ? Task.CompletedTask
                : sp.GetRequiredService<IKpiStore>().DeleteOlderThanAsync(KpiGranularity.Minute, sp.GetRequiredService<TimeProvider>().GetUtcNow().AddDays(-days), ct);
        });
        return builder;
    }
}

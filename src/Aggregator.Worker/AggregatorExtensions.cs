using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SaasMonitor.Core.Caching;
using SaasMonitor.Core.Kpis;
using SaasMonitor.Core.Metadata;
using SaasMonitor.Hosting;

namespace Aggregator.Worker;

public static class AggregatorExtensions
{
    /// <summary>The aggregator worker: events → KPI windows, their retention and the removal of deleted files' windows.</summary>
    public static WebApplicationBuilder AddAggregatorWorker(this WebApplicationBuilder builder)
    {
        builder.Services.AddConsumerModule<AggregatorService>(PipelineModule.Aggregator, AggregatorService.GroupName, t => t.Events);
        // Minute windows live as long as indexed events; hour and day windows are small and kept.
        builder.Services.AddEventRetention("KPI retention", (sp, cutoff, ct) =>
            sp.GetRequiredService<IKpiStore>().DeleteOlderThanAsync(KpiGranularity.Minute, cutoff, ct));
        builder.Services.AddHousekeeping(HousekeepingTasks.DeletedFileKpis, DeletedFileKpis.Interval, (sp, ct) => DeletedFileKpis.PurgeAsync(
            sp.GetRequiredService<IKpiStore>(), sp.GetRequiredService<IMetadataStore>(), sp.GetRequiredService<IHotCache>(), ct));
        return builder;
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SaasMonitor.Core.Kpis;
using SaasMonitor.Hosting;

namespace Aggregator.Worker;

public static class AggregatorExtensions
{
    /// <summary>The aggregator worker: events → KPI windows.</summary>
    public static WebApplicationBuilder AddAggregatorWorker(this WebApplicationBuilder builder)
    {
        builder.Services.AddConsumerModule<AggregatorService>(PipelineModule.Aggregator, AggregatorService.GroupName, t => t.Events);
        // Minute windows live as long as indexed events; hour and day windows are small and kept.
        builder.Services.AddEventRetention("KPI retention", (sp, cutoff, ct) =>
            sp.GetRequiredService<IKpiStore>().DeleteOlderThanAsync(KpiGranularity.Minute, cutoff, ct));
        return builder;
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Search;
using SaasMonitor.Hosting;

namespace Indexer.Worker;

public static class IndexerExtensions
{
    /// <summary>The indexer worker: events → search store, and the index's retention.</summary>
    public static WebApplicationBuilder AddIndexerWorker(this WebApplicationBuilder builder)
    {
        builder.Services.AddConsumerModule<IndexerService>(PipelineModule.Indexer, IndexerService.GroupName, t => t.Events);
        builder.Services.AddHousekeeping("index retention", TimeSpan.FromHours(1), (sp, ct) =>
        {
            var days = sp.GetRequiredService<IOptions<SaasMonitorOptions>>().Value.EventRetentionDays;
            return days == 0
                ? Task.CompletedTask
                : sp.GetRequiredService<ISearchStore>().DeleteOlderThanAsync(sp.GetRequiredService<TimeProvider>().GetUtcNow().AddDays(-days), ct);
        });
        return builder;
    }
}

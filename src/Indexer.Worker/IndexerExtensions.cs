using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SaasMonitor.Core.Search;
using SaasMonitor.Hosting;

namespace Indexer.Worker;

public static class IndexerExtensions
{
    /// <summary>The indexer worker: events → search store, and the index's retention.</summary>
    public static WebApplicationBuilder AddIndexerWorker(this WebApplicationBuilder builder)
    {
        builder.Services.AddConsumerModule<IndexerService>(PipelineModule.Indexer, IndexerService.GroupName, t => t.Events);
        builder.Services.AddEventRetention("index retention", (sp, cutoff, ct) => sp.GetRequiredService<ISearchStore>().DeleteOlderThanAsync(cutoff, ct));
        return builder;
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SaasMonitor.Core.Metadata;
using SaasMonitor.Core.Search;
using SaasMonitor.Hosting;

namespace Indexer.Worker;

public static class IndexerExtensions
{
    /// <summary>The indexer worker: events → search store, the index's retention and the removal of deleted files' events.</summary>
    public static WebApplicationBuilder AddIndexerWorker(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<IndexerOptions>().Bind(builder.Configuration.GetSection(IndexerOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddConsumerModule<IndexerService>(PipelineModule.Indexer, IndexerService.GroupName, t => t.Events);
        builder.Services.AddEventRetention("index retention", (sp, cutoff, ct) => sp.GetRequiredService<ISearchStore>().DeleteOlderThanAsync(cutoff, ct));
        builder.Services.AddHousekeeping(HousekeepingTasks.DeletedFiles, DeletedFiles.Interval, (sp, ct) =>
            DeletedFiles.PurgeAsync(sp.GetRequiredService<IMetadataStore>(), sp.GetRequiredService<ISearchStore>(), ct));
        return builder;
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Search;
using SaasMonitor.Hosting;

namespace Indexer.Worker;

public static class IndexerExtensions
{
    /// <summary>The indexer worker: events → search store.</summary>
    public static WebApplicationBuilder AddIndexerWorker(this WebApplicationBuilder builder)
    {
        builder.Services.AddPipelineModule(PipelineModule.Indexer);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new ConsumerGroup(IndexerService.GroupName, sp.GetRequiredService<IOptions<SaasMonitorOptions>>().Value.Topics.Events));
        builder.Services.AddHostedService<IndexerService>();
        builder.Services.AddHousekeeping("index retention", TimeSpan.FromHours(1), (sp, ct) =>
        {
            var days = sp.GetRequiredService<IOptions<SaasMonitorOptions>>().Value.RetentionDays;
            return sp.GetRequiredService<ISearchStore>().DeleteOlderThanAsync(sp.GetRequiredService<TimeProvider>().GetUtcNow().AddDays(-days), ct);
        });
        return builder;
    }
}

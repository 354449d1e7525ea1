using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Alerting;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Caching;
using SaasMonitor.Core.Kpis;
using SaasMonitor.Core.Metadata;
using SaasMonitor.Core.Search;
using SaasMonitor.Embedded.Cache;
using SaasMonitor.Embedded.Files;
using SaasMonitor.Embedded.Search;
using SaasMonitor.Embedded.Sqlite;

namespace SaasMonitor.Hosting;

/// <summary>Picks the engine behind each port from <see cref="SaasMonitorOptions"/>.</summary>
internal static class EngineRegistration
{
    public static void AddEngines(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddSingleton<IHotCache>(sp => new MemoryHotCache(sp.GetRequiredService<IMemoryCache>()));

        services.AddSingleton(sp => BusFactory.Create(Options(sp)));
        // The indexer is the index's only writer; other processes on the host sharing the data folder read its commits.
        services.AddSingleton<ISearchStore>(sp => new LuceneSearchStore(new LuceneSearchOptions
        {
            Directory = Path.Combine(Options(sp).DataDirectory, "index"),
            ReadOnly = !sp.GetServices<PipelineModule>().Runs(PipelineModule.Indexer),
        }));
        services.AddSingleton(sp => Sqlite(sp));
        services.AddSingleton<IKpiStore>(sp => new SqliteKpiStore(sp.GetRequiredService<SqliteOptions>()));
        services.AddSingleton<IMetadataStore>(sp => new SqliteMetadataStore(sp.GetRequiredService<SqliteOptions>()));
        services.AddSingleton(sp => StoreFactory.Identity(Options(sp)));
        services.AddSingleton<IAlertStore>(sp => new SqliteAlertStore(sp.GetRequiredService<SqliteOptions>()));
        services.AddSingleton<IFileBlobStore>(sp => new DirectoryBlobStore(Path.Combine(Options(sp).DataDirectory, "files")));
    }

    private static SaasMonitorOptions Options(IServiceProvider sp)
    {
        var o = sp.GetRequiredService<IOptions<SaasMonitorOptions>>().Value;
        Directory.CreateDirectory(o.DataDirectory);
        return o;
    }

    private static SqliteOptions Sqlite(IServiceProvider sp) => StoreFactory.Sqlite(Options(sp));
}

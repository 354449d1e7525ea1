using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Alerting;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Caching;
using SaasMonitor.Core.Identity;
using SaasMonitor.Core.Kpis;
using SaasMonitor.Core.Metadata;
using SaasMonitor.Core.Search;
using SaasMonitor.Embedded.Cache;
using SaasMonitor.Embedded.Files;
using SaasMonitor.Embedded.Journal;
using SaasMonitor.Embedded.Search;
using SaasMonitor.Embedded.Sqlite;

namespace SaasMonitor.Embedded;

/// <summary>Registers the embedded engines, each for the port configuration gives it, all in the data folder.</summary>
public static class EmbeddedRegistration
{
    /// <summary>The bus on the durable journal in data/journal: one process owns it, so every module must run in it.</summary>
    public static IHostApplicationBuilder AddJournalBus(this IHostApplicationBuilder builder)
    {
        builder.AddEmbeddedOptions();
        builder.Services.AddSingleton<IMessageBus>(sp =>
        {
            var o = Options(sp);
            return new JournalBus(new JournalOptions { Directory = o.Folder("journal"), FsyncOnCommit = o.Fsync });
        });
        return builder;
    }

    /// <summary>Log search on the Lucene.NET index in data/index, written only where <see cref="EmbeddedOptions.IndexWriter"/> is set.</summary>
    public static IHostApplicationBuilder AddLuceneSearch(this IHostApplicationBuilder builder)
    {
        builder.AddEmbeddedOptions();
        builder.Services.AddSingleton<ISearchStore>(sp =>
        {
            var o = Options(sp);
            return new LuceneSearchStore(new LuceneSearchOptions { Directory = o.Folder("index"), ReadOnly = !o.IndexWriter });
        });
        return builder;
    }

    /// <summary>
    /// The search language over events as they arrive, in memory (<see cref="IEventMatcher"/>, for the live tail and
    /// alerting): whichever engine holds the index, queries are Lucene syntax, so Lucene.NET matches them.
    /// </summary>
    public static IHostApplicationBuilder AddLuceneEventMatcher(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IEventMatcher, LuceneEventMatcher>();
        return builder;
    }

    /// <summary>
    /// KPI windows, files, saved searches and history, identity, and alert rules, state and outbox in the SQLite database data/saasmon.db (which other
    /// processes of the host may open beside the server); uploaded files' bytes in data/files.
    /// </summary>
    public static IHostApplicationBuilder AddEmbeddedStores(this IHostApplicationBuilder builder)
    {
        builder.AddEmbeddedOptions();
        builder.Services.AddSingleton(sp =>
        {
            var o = Options(sp);
            return new SqliteOptions { Path = o.Folder("saasmon.db"), SynchronousFull = o.Fsync };
        });
        builder.Services.AddSingleton<IKpiStore>(sp => new SqliteKpiStore(sp.GetRequiredService<SqliteOptions>()));
        builder.Services.AddSingleton<IMetadataStore>(sp => new SqliteMetadataStore(sp.GetRequiredService<SqliteOptions>()));
        builder.Services.AddSingleton<IIdentityStore>(sp => new SqliteIdentityStore(sp.GetRequiredService<SqliteOptions>()));
        builder.Services.AddSingleton<IAlertStore>(sp => new SqliteAlertStore(sp.GetRequiredService<SqliteOptions>()));
        builder.Services.AddSingleton<IFileBlobStore>(sp => new DirectoryBlobStore(Options(sp).Folder("files")));
        return builder;
    }

    /// <summary>The hot cache and the rate-limit counts in this process's memory: invalidations and counts reach only this process.</summary>
    public static IHostApplicationBuilder AddInProcessCache(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<IHotCache, MemoryHotCache>();
        builder.Services.AddSingleton<IRateLimits, MemoryRateLimits>();
        return builder;
    }

    private static void AddEmbeddedOptions(this IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(IValidateOptions<EmbeddedOptions>)))
        {
            return;
        }

        builder.Services.AddOptions<EmbeddedOptions>()
            .Bind(builder.Configuration.GetSection(EmbeddedOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
    }

    private static EmbeddedOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<EmbeddedOptions>>().Value;
}

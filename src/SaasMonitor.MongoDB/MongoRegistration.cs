using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MongoDB.Driver;
using SaasMonitor.Core.Alerting;
using SaasMonitor.Core.Identity;
using SaasMonitor.Core.Kpis;
using SaasMonitor.Core.Metadata;
using SaasMonitor.MongoDB.Alerting;
using SaasMonitor.MongoDB.Identity;
using SaasMonitor.MongoDB.Kpis;
using SaasMonitor.MongoDB.Metadata;

namespace SaasMonitor.MongoDB;

public static class MongoRegistration
{
    /// <summary>
    /// KPI windows and the aggregator's offsets, files (their bytes in GridFS), saved searches and search history, users, sessions, tokens, ingest keys and the audit log, the Data Protection key ring, and alert rules, state, history and outbox in the
    /// MongoDB database that section "SaasMonitor:MongoDB" names; every collection's indexes are created when the host starts.
    /// </summary>
    public static IHostApplicationBuilder AddMongoStores(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<MongoOptions>()
            .Bind(builder.Configuration.GetSection(MongoOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IMongoClient>(sp => new MongoClient(Options(sp).ConnectionString));
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IMongoClient>().GetDatabase(Options(sp).Database));
        builder.Services.AddStore<IKpiStore, MongoKpiStore>(sp => new MongoKpiStore(Database(sp)));
        builder.Services.AddStore<IMetadataStore, MongoMetadataStore>(
            sp => new MongoMetadataStore(Database(sp), Options(sp).SearchHistoryRetention, sp.GetService<TimeProvider>() ?? TimeProvider.System));
        builder.Services.AddStore<IIdentityStore, MongoIdentityStore>(sp => new MongoIdentityStore(Database(sp)));
        builder.Services.AddStore<IAlertStore, MongoAlertStore>(sp => new MongoAlertStore(Database(sp)));
        builder.Services.AddSingleton<IFileBlobStore>(sp => new GridFsBlobStore(Database(sp)));
        builder.Services.AddSingleton<IXmlRepository>(sp => new MongoKeyRing(Database(sp)));
        builder.Services.AddHostedService<IndexCreation>();
        return builder;
    }

    private static MongoOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<MongoOptions>>().Value;

    private static IMongoDatabase Database(IServiceProvider sp) => sp.GetRequiredService<IMongoDatabase>();

    /// <summary>One instance serving its port, whose indexes are created at start.</summary>
    private static void AddStore<TPort, TStore>(this IServiceCollection services, Func<IServiceProvider, TStore> create)
        where TPort : class
        where TStore : class, TPort, IMongoSchema
    {
        services.AddSingleton(create);
        services.AddSingleton<TPort>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IMongoSchema>(sp => sp.GetRequiredService<TStore>());
    }

    /// <summary>Creates every store's indexes at start; creating an index that exists already does nothing.</summary>
    private sealed class IndexCreation(IEnumerable<IMongoSchema> stores) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            foreach (var store in stores)
            {
                await store.CreateIndexesAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

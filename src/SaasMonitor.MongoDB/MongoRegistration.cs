using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MongoDB.Driver;
using SaasMonitor.Core.Kpis;
using SaasMonitor.MongoDB.Kpis;

namespace SaasMonitor.MongoDB;

public static class MongoRegistration
{
    /// <summary>
    /// KPI windows and the aggregator's offsets in the MongoDB database that section "SaasMonitor:MongoDB" names;
    /// every collection's indexes are created when the host starts.
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
        builder.Services.AddSingleton<MongoKpiStore>();
        builder.Services.AddSingleton<IKpiStore>(sp => sp.GetRequiredService<MongoKpiStore>());
        builder.Services.AddSingleton<IMongoSchema>(sp => sp.GetRequiredService<MongoKpiStore>());
        builder.Services.AddHostedService<IndexCreation>();
        return builder;
    }

    private static MongoOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<MongoOptions>>().Value;

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

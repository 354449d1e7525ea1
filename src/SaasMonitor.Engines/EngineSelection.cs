using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SaasMonitor.Elasticsearch;
using SaasMonitor.Embedded;
using SaasMonitor.Kafka;
using SaasMonitor.MongoDB;
using SaasMonitor.Redis;

namespace SaasMonitor.Engines;

/// <summary>
/// The hosts' one choice of engines: for each port, the adapter that configuration names (SaasMonitor:Bus, :Search,
/// :Store, :Cache) registers itself. A new adapter is one more entry here and an AddXxx() in its own project.
/// </summary>
public static class EngineSelection
{
    private static readonly Port[] Ports =
    [
        new("Bus", "Embedded", new()
        {
            ["Embedded"] = b => b.AddJournalBus(),
            ["Kafka"] = b => b.AddKafkaBus(),
        }),
        new("Search", "Lucene", new()
        {
            ["Lucene"] = b => b.AddLuceneSearch(),
            ["Elasticsearch"] = b => b.AddElasticsearchSearch(),
        }),
        new("Store", "Sqlite", new()
        {
            ["Sqlite"] = b => b.AddEmbeddedStores(),
            ["MongoDB"] = b => b.AddMongoStores(),
        }),
        new("Cache", "Memory", new()
        {
            ["Memory"] = b => b.AddInProcessCache(),
            ["Redis"] = b => b.AddRedisCache(),
        }),
    ];

    /// <summary>Each port's configuration key (e.g. "SaasMonitor:Cache") with the engines it may name.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyCollection<string>> Choices { get; } =
        Ports.ToDictionary(p => p.Key, p => (IReadOnlyCollection<string>)p.Adapters.Keys);

    /// <summary>
    /// Registers the configured adapter of every port, and the in-memory event matcher every shape uses; an unknown
    /// name is refused at once with one sentence naming the choices.
    /// </summary>
    public static T AddEngines<T>(this T builder)
        where T : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var port in Ports)
        {
            var key = port.Key;
            var chosen = builder.Configuration[key] is { Length: > 0 } name ? name : port.Default;
            if (!port.Adapters.TryGetValue(chosen, out var add))
            {
                throw new OptionsValidationException(key, typeof(EngineSelection), [$"{key} must be {string.Join(" or ", port.Adapters.Keys)}, not '{chosen}'."]);
            }

            add(builder);
        }

        builder.AddLuceneEventMatcher();
        return builder;
    }

    private sealed record Port(string Name, string Default, Dictionary<string, Action<IHostApplicationBuilder>> Adapters)
    {
        public string Key => $"SaasMonitor:{Name}";
    }
}

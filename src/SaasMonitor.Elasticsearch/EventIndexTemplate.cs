using Elastic.Clients.Elasticsearch.Analysis;
using Elastic.Clients.Elasticsearch.IndexManagement;
using Elastic.Clients.Elasticsearch.Mapping;
using SaasMonitor.Core.Search;

namespace SaasMonitor.Elasticsearch;

/// <summary>
/// The composable index template of the daily event indices: the reference mapping over the fields of the events
/// topic's JSON (keyword, text with a keyword sub-field, numbers, ip, date) and <c>@timestamp</c> as an alias of the event
/// time, so queries name fields as on the embedded index. Fields not mapped here (extra, raw) are kept in the source only.
/// </summary>
internal static class EventIndexTemplate
{
    /// <summary>The event's id as a field: the tie-break of every sort (sorting on <c>_id</c> is not allowed).</summary>
    public const string Id = "id";

    /// <summary>The event time as the topic's JSON names it; <see cref="LogFields.Timestamp"/> is its alias.</summary>
    public const string Time = "timestamp";

    /// <summary>Above every built-in template (logs-*-* has 100), so these indices never become data streams by accident.</summary>
    private const long Priority = 500;

    /// <summary>Folds level values as the embedded index does: <c>level:error</c> matches ERROR.</summary>
    private const string LevelNormalizer = "level";

    public static PutIndexTemplateRequest For(string name, string pattern) => new(name)
    {
        IndexPatterns = pattern,
        Priority = Priority,
        Template = new IndexTemplateMapping
        {
            Settings = new IndexSettings
            {
                // One shard per day: a day of logs fits one shard, and term counts are then exact.
                NumberOfShards = 1,
                AutoExpandReplicas = "0-1",
                RefreshInterval = TimeSpan.FromSeconds(1),
                Analysis = new IndexSettingsAnalysis
                {
                    Normalizers = new Normalizers { { LevelNormalizer, new CustomNormalizer { Filter = ["uppercase"] } } },
                },
            },
            Mappings = new TypeMapping
            {
                Dynamic = DynamicMapping.False,
                Properties = Properties(),
            },
        },
    };

    private static Properties Properties()
    {
        var properties = new Properties
        {
            { Id, new KeywordProperty() },
            { Time, new DateProperty() },
            { LogFields.Timestamp, new FieldAliasProperty { Path = Time } },
            { LogFields.Level, new KeywordProperty { Normalizer = LevelNormalizer } },
            {
                LogFields.Message,
                new TextProperty { Analyzer = "standard", Fields = new Properties { { "keyword", new KeywordProperty { IgnoreAbove = 1024 } } } }
            },
            { LogFields.StatusCode, new IntegerNumberProperty() },
            { LogFields.ResponseTimeMs, new DoubleNumberProperty() },
            { LogFields.ClientIp, new IpProperty { IgnoreMalformed = true } },
            { "received_at", new DateProperty { Index = false } },
        };
        foreach (var keyword in LogFields.Keywords.Where(f => f is not (LogFields.Level or LogFields.ClientIp)))
        {
            properties.Add(keyword, new KeywordProperty());
        }

        return properties;
    }
}

using System.Globalization;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Kpis;

namespace SaasMonitor.MongoDB.Kpis;

/// <summary>
/// Field names of the window documents, shared by their class maps and the commands written on every batch: a name
/// renders without translating an expression, which matters for thousands of windows per batch.
/// </summary>
internal static class Field
{
    public const string Granularity = "granularity";
    public const string Start = "start";
    public const string Service = "service";
    public const string File = "file";
    public const string Endpoint = "endpoint";
    public const string Level = "level";
    public const string Status = "status";
    public const string Count = "count";
    public const string Errors = "errors";
    public const string Responses = "responses";
    public const string ResponseSumMs = "responseSumMs";
    public const string ResponseMaxMs = "responseMaxMs";
    public const string Latency = "latency";
    public const string LatencyZero = "latency.zero";
    public const string LatencyMin = "latency.min";
    public const string LatencyMax = "latency.max";
    public const string LatencyBuckets = "latency.buckets.";
}

/// <summary>
/// What KPI and user windows have in common: one window of one granularity, its start as UTC ticks, the service, and
/// the uploaded file whose events it counts ("" for events that arrived otherwise), so a file's deletion removes them.
/// </summary>
internal abstract class WindowDocument
{
    [BsonId]
    public ObjectId Id { get; set; }

    [BsonElement(Field.Granularity)]
    [BsonRepresentation(BsonType.Int32)]
    public KpiGranularity Granularity { get; set; }

    [BsonElement(Field.Start)]
    public long Start { get; set; }

    [BsonElement(Field.Service)]
    public string Service { get; set; } = "";

    [BsonElement(Field.File)]
    public string File { get; set; } = "";
}

/// <summary>A KPI window as stored: every number is a sum or a maximum, so merging a batch is one <c>$inc</c>/<c>$min</c>/<c>$max</c> upsert.</summary>
internal sealed class KpiWindowDocument : WindowDocument
{
    [BsonElement(Field.Endpoint)]
    public string Endpoint { get; set; } = "";

    [BsonElement(Field.Level)]
    public string Level { get; set; } = "";

    [BsonElement(Field.Status)]
    public int Status { get; set; }

    [BsonElement(Field.Count)]
    public long Count { get; set; }

    [BsonElement(Field.Errors)]
    public long Errors { get; set; }

    [BsonElement(Field.Responses)]
    public long ResponseCount { get; set; }

    [BsonElement(Field.ResponseSumMs)]
    public double ResponseSumMs { get; set; }

    /// <summary>Absent while the window has no response times.</summary>
    [BsonElement(Field.ResponseMaxMs)]
    public double ResponseMaxMs { get; set; }

    [BsonElement(Field.Latency)]
    public LatencyDocument Latency { get; set; } = new();

    public KpiWindow ToWindow() => new()
    {
        Granularity = Granularity,
        Start = new DateTimeOffset(Start, TimeSpan.Zero),
        Key = new KpiKey(Service, Endpoint, Level, Status, File),
        Count = Count,
        Errors = Errors,
        ResponseCount = ResponseCount,
        ResponseSumMs = ResponseSumMs,
        ResponseMaxMs = ResponseMaxMs,
        Latency = Latency.ToSketch(),
    };
}

/// <summary>A <see cref="LatencySketch"/> as a sum of bucket counts keyed by bucket index, with the extremes.</summary>
internal sealed class LatencyDocument
{
    [BsonElement("zero")]
    public long Zero { get; set; }

    [BsonElement("min")]
    public double Min { get; set; }

    [BsonElement("max")]
    public double Max { get; set; }

    [BsonElement("buckets")]
    public Dictionary<string, long> Buckets { get; set; } = [];

    public LatencySketch ToSketch() => LatencySketch.FromBuckets(
        Zero, Min, Max, Buckets.Select(b => KeyValuePair.Create(int.Parse(b.Key, CultureInfo.InvariantCulture), b.Value)));
}

/// <summary>Distinct users of one service over one window, as <see cref="DistinctCounter.ToBytes"/> encodes them.</summary>
internal sealed class UserWindowDocument : WindowDocument
{
    [BsonElement("users")]
    public byte[] Users { get; set; } = [];

    public UserWindow ToWindow() => new()
    {
        Granularity = Granularity,
        Start = new DateTimeOffset(Start, TimeSpan.Zero),
        Service = Service,
        FileId = File,
        Users = DistinctCounter.FromBytes(Users),
    };
}

/// <summary>The next offset of one consumer group on one partition.</summary>
internal sealed class OffsetDocument
{
    [BsonId]
    public ObjectId Id { get; set; }

    [BsonElement("group")]
    public string Group { get; set; } = "";

    [BsonElement("topic")]
    public string Topic { get; set; } = "";

    [BsonElement("partition")]
    public int Partition { get; set; }

    [BsonElement("next")]
    public long Next { get; set; }
}

/// <summary>The filters, updates and indexes of the KPI collections, built in one place so tests can render them.</summary>
internal static class KpiCommands
{
    public const string Windows = "kpi_windows";
    public const string Users = "kpi_users";
    public const string Offsets = "kpi_offsets";

    private static readonly UpdateDefinitionBuilder<KpiWindowDocument> WindowUpdate = Builders<KpiWindowDocument>.Update;

    /// <summary>The one document of the window's granularity, start and key (unique by <see cref="WindowIndexes"/>).</summary>
    public static FilterDefinition<KpiWindowDocument> WindowKey(KpiWindow window) => new BsonDocument
    {
        [Field.Granularity] = (int)window.Granularity,
        [Field.Start] = window.Start.UtcTicks,
        [Field.Service] = window.Key.Service,
        [Field.Endpoint] = window.Key.Endpoint,
        [Field.Level] = window.Key.Level,
        [Field.Status] = window.Key.StatusCode,
        [Field.File] = window.Key.FileId,
    };

    /// <summary>
    /// Adds the window to the stored one, creating it when missing: counts, sums and sketch buckets by <c>$inc</c>,
    /// extremes by <c>$min</c>/<c>$max</c> (only when the window has response times, as <see cref="KpiWindow.Merge"/> does).
    /// </summary>
    public static UpdateDefinition<KpiWindowDocument> Merge(KpiWindow window)
    {
        var updates = new List<UpdateDefinition<KpiWindowDocument>>
        {
            WindowUpdate.Inc(Field.Count, window.Count),
            WindowUpdate.Inc(Field.Errors, window.Errors),
            WindowUpdate.Inc(Field.Responses, window.ResponseCount),
            WindowUpdate.Inc(Field.ResponseSumMs, window.ResponseSumMs),
        };
        if (window.ResponseCount > 0)
        {
            updates.Add(WindowUpdate.Max(Field.ResponseMaxMs, window.ResponseMaxMs));
        }

        var latency = window.Latency;
        if (latency.Count > 0)
        {
            updates.Add(WindowUpdate.Inc(Field.LatencyZero, latency.ZeroCount));
            updates.Add(WindowUpdate.Min(Field.LatencyMin, latency.Min));
            updates.Add(WindowUpdate.Max(Field.LatencyMax, latency.Max));
            foreach (var (index, count) in latency.Buckets)
            {
                updates.Add(WindowUpdate.Inc(Field.LatencyBuckets + index.ToString(CultureInfo.InvariantCulture), count));
            }
        }

        return WindowUpdate.Combine(updates);
    }

    /// <summary>Windows of the query's granularity whose start is in [From, To), of one service when it names one.</summary>
    public static FilterDefinition<T> Range<T>(KpiQuery query)
        where T : WindowDocument
    {
        var filter = Builders<T>.Filter;
        var range = filter.Eq(d => d.Granularity, query.Granularity);
        if (query.From is { } from)
        {
            range &= filter.Gte(d => d.Start, from.UtcTicks);
        }

        if (query.To is { } to)
        {
            range &= filter.Lt(d => d.Start, to.UtcTicks);
        }

        if (query.Service is { } service)
        {
            range &= filter.Eq(d => d.Service, service);
        }

        return range;
    }

    /// <summary>Windows of the granularity that start before the cutoff.</summary>
    public static FilterDefinition<T> OlderThan<T>(KpiGranularity granularity, DateTimeOffset cutoff)
        where T : WindowDocument =>
        Builders<T>.Filter.Eq(d => d.Granularity, granularity) & Builders<T>.Filter.Lt(d => d.Start, cutoff.UtcTicks);

    /// <summary>The stored user windows that may match any of <paramref name="windows"/> (all of one granularity).</summary>
    public static FilterDefinition<UserWindowDocument> UserWindowsOf(KpiGranularity granularity, IEnumerable<UserWindow> windows)
    {
        var filter = Builders<UserWindowDocument>.Filter;
        var list = windows.ToList();
        return filter.Eq(d => d.Granularity, granularity)
            & filter.In(d => d.Start, list.Select(w => w.Start.UtcTicks).Distinct())
            & filter.In(d => d.Service, list.Select(w => w.Service).Distinct())
            & filter.In(d => d.File, list.Select(w => w.FileId).Distinct());
    }

    /// <summary>The windows that count the events of one uploaded file.</summary>
    public static FilterDefinition<T> OfFile<T>(string fileId)
        where T : WindowDocument => Builders<T>.Filter.Eq(d => d.File, fileId);

    /// <summary>Windows that count an uploaded file's events (not those of events that arrived otherwise).</summary>
    public static FilterDefinition<KpiWindowDocument> AnyFile { get; } = Builders<KpiWindowDocument>.Filter.Ne(d => d.File, "");

    /// <summary>Replaces (or creates) the stored user window with the merged one.</summary>
    public static ReplaceOneModel<UserWindowDocument> StoreUsers(UserWindow window, ObjectId existing) => new(
        new BsonDocument { [Field.Granularity] = (int)window.Granularity, [Field.Start] = window.Start.UtcTicks, [Field.Service] = window.Service, [Field.File] = window.FileId },
        new UserWindowDocument
        {
            Id = existing == ObjectId.Empty ? ObjectId.GenerateNewId() : existing,
            Granularity = window.Granularity,
            Start = window.Start.UtcTicks,
            Service = window.Service,
            File = window.FileId,
            Users = window.Users.ToBytes(),
        })
    { IsUpsert = true };

    /// <summary>Sets the group's next offset on one partition, creating the document when missing.</summary>
    public static UpdateOneModel<OffsetDocument> StoreOffset(string group, TopicPartitionOffset offset) => new(
        OffsetsOf(group) & Builders<OffsetDocument>.Filter.Eq(d => d.Topic, offset.Topic) & Builders<OffsetDocument>.Filter.Eq(d => d.Partition, offset.Partition),
        Builders<OffsetDocument>.Update.Set(d => d.Next, offset.Offset))
    { IsUpsert = true };

    public static FilterDefinition<OffsetDocument> OffsetsOf(string group) => Builders<OffsetDocument>.Filter.Eq(d => d.Group, group);

    /// <summary>One window per key, as the SQLite table's primary key; it also serves range queries by granularity and start.</summary>
    public static CreateIndexModel<KpiWindowDocument> WindowIndex { get; } = new(
        Builders<KpiWindowDocument>.IndexKeys.Ascending(d => d.Granularity).Ascending(d => d.Start).Ascending(d => d.Service)
            .Ascending(d => d.Endpoint).Ascending(d => d.Level).Ascending(d => d.Status).Ascending(d => d.File),
        new CreateIndexOptions { Unique = true, Name = "window_key" });

    public static CreateIndexModel<UserWindowDocument> UserIndex { get; } = new(
        Builders<UserWindowDocument>.IndexKeys.Ascending(d => d.Granularity).Ascending(d => d.Start).Ascending(d => d.Service).Ascending(d => d.File),
        new CreateIndexOptions { Unique = true, Name = "window_key" });

    public static CreateIndexModel<OffsetDocument> OffsetIndex { get; } = new(
        Builders<OffsetDocument>.IndexKeys.Ascending(d => d.Group).Ascending(d => d.Topic).Ascending(d => d.Partition),
        new CreateIndexOptions { Unique = true, Name = "group_partition" });
}

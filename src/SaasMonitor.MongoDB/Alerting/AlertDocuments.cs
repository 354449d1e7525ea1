using System.Text.Json;
using System.Text.Json.Serialization;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;
using SaasMonitor.Core.Alerting;

namespace SaasMonitor.MongoDB.Alerting;

/// <summary>
/// An alert record (rule, channel, silence, instance, transition or notification) as the embedded store shapes it in
/// JSON, held as a BSON document so it stays readable with MongoDB's tools; the fields it is looked up by sit beside it.
/// </summary>
internal static class AlertRecord
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private static readonly JsonWriterSettings Relaxed = new() { OutputMode = JsonOutputMode.RelaxedExtendedJson };

    public static BsonDocument ToBson<T>(T record) => BsonDocument.Parse(JsonSerializer.Serialize(record, Json));

    public static T FromBson<T>(BsonDocument document) => JsonSerializer.Deserialize<T>(document.ToJson(Relaxed), Json)!;
}

/// <summary>A rule, channel or silence by its id.</summary>
internal sealed class NamedDocument
{
    [BsonId]
    public string Id { get; set; } = "";

    [BsonElement("doc")]
    public BsonDocument Doc { get; set; } = [];
}

/// <summary>One instance's state; the server gives it an _id, and (rule, group) is unique.</summary>
internal sealed class InstanceDocument
{
    [BsonId]
    [BsonIgnoreIfDefault]
    public ObjectId Id { get; set; }

    [BsonElement("ruleId")]
    public string RuleId { get; set; } = "";

    [BsonElement("groupKey")]
    public string GroupKey { get; set; } = "";

    [BsonElement("doc")]
    public BsonDocument Doc { get; set; } = [];
}

/// <summary>A transition of the alert history, by its rising id.</summary>
internal sealed class TransitionDocument
{
    [BsonId]
    public long Id { get; set; }

    [BsonElement("ruleId")]
    public string RuleId { get; set; } = "";

    [BsonElement("doc")]
    public BsonDocument Doc { get; set; } = [];

    public AlertTransition ToTransition() => AlertRecord.FromBson<AlertTransition>(Doc) with { Id = Id };
}

/// <summary>A notification in the outbox, by its rising id, with what the dispatcher looks it up by.</summary>
internal sealed class NotificationDocument
{
    [BsonId]
    public long Id { get; set; }

    [BsonElement("ruleId")]
    public string RuleId { get; set; } = "";

    [BsonElement("channelId")]
    public string ChannelId { get; set; } = "";

    [BsonElement("status")]
    [BsonRepresentation(BsonType.Int32)]
    public DeliveryStatus Status { get; set; }

    [BsonElement("nextAttemptAt")]
    public long NextAttemptAt { get; set; }

    [BsonElement("doc")]
    public BsonDocument Doc { get; set; } = [];

    public static NotificationDocument From(AlertNotification n, long id) => new()
    {
        Id = id,
        RuleId = n.RuleId,
        ChannelId = n.ChannelId,
        Status = n.Status,
        NextAttemptAt = n.NextAttemptAt.UtcTicks,
        Doc = AlertRecord.ToBson(n with { Id = id }),
    };

    public AlertNotification ToNotification() => AlertRecord.FromBson<AlertNotification>(Doc) with { Id = Id };
}

/// <summary>The filters, updates and indexes of the alert collections, built in one place so tests can render them.</summary>
internal static class AlertCommands
{
    public const string Rules = "alert_rules";
    public const string Channels = "alert_channels";
    public const string Silences = "alert_silences";
    public const string Instances = "alert_instances";
    public const string History = "alert_history";
    public const string Outbox = "alert_outbox";

    public static FilterDefinition<InstanceDocument> Instance(string ruleId, string groupKey) =>
        Builders<InstanceDocument>.Filter.Eq(d => d.RuleId, ruleId) & Builders<InstanceDocument>.Filter.Eq(d => d.GroupKey, groupKey);

    /// <summary>Sets the instance's state, creating it (with the filter's rule and group) when missing.</summary>
    public static UpdateOneModel<InstanceDocument> StoreInstance(AlertInstance instance) => new(
        Instance(instance.RuleId, instance.GroupKey), Builders<InstanceDocument>.Update.Set(d => d.Doc, AlertRecord.ToBson(instance)))
    { IsUpsert = true };

    public static FilterDefinition<InstanceDocument> RemovedInstances(string ruleId, IEnumerable<string> groupKeys) =>
        Builders<InstanceDocument>.Filter.Eq(d => d.RuleId, ruleId) & Builders<InstanceDocument>.Filter.In(d => d.GroupKey, groupKeys);

    public static FilterDefinition<InstanceDocument> InstancesOf(string? ruleId) =>
        ruleId is null ? Builders<InstanceDocument>.Filter.Empty : Builders<InstanceDocument>.Filter.Eq(d => d.RuleId, ruleId);

    public static FilterDefinition<TransitionDocument> HistoryOf(string? ruleId, long? before)
    {
        var f = Builders<TransitionDocument>.Filter;
        var filter = ruleId is null ? f.Empty : f.Eq(d => d.RuleId, ruleId);
        return before is { } id ? filter & f.Lt(d => d.Id, id) : filter;
    }

    /// <summary>Pending notifications whose next attempt is due.</summary>
    public static FilterDefinition<NotificationDocument> Due(DateTimeOffset now) =>
        Builders<NotificationDocument>.Filter.Eq(d => d.Status, DeliveryStatus.Pending) & Builders<NotificationDocument>.Filter.Lte(d => d.NextAttemptAt, now.UtcTicks);

    public static SortDefinition<NotificationDocument> DueOrder { get; } =
        Builders<NotificationDocument>.Sort.Ascending(d => d.NextAttemptAt).Ascending(d => d.Id);

    public static FilterDefinition<NotificationDocument> NotificationsOf(string? ruleId, string? channelId)
    {
        var f = Builders<NotificationDocument>.Filter;
        var filter = ruleId is null ? f.Empty : f.Eq(d => d.RuleId, ruleId);
        return channelId is null ? filter : filter & f.Eq(d => d.ChannelId, channelId);
    }

    /// <summary>Records a delivery attempt's outcome.</summary>
    public static UpdateDefinition<NotificationDocument> Delivery(AlertNotification n) => Builders<NotificationDocument>.Update
        .Set(d => d.Status, n.Status)
        .Set(d => d.NextAttemptAt, n.NextAttemptAt.UtcTicks)
        .Set(d => d.Doc, AlertRecord.ToBson(n));

    public static CreateIndexModel<InstanceDocument> InstanceKey { get; } = new(
        Builders<InstanceDocument>.IndexKeys.Ascending(d => d.RuleId).Ascending(d => d.GroupKey), new CreateIndexOptions { Name = "instance_key", Unique = true });

    public static CreateIndexModel<TransitionDocument> HistoryByRule { get; } = new(
        Builders<TransitionDocument>.IndexKeys.Ascending(d => d.RuleId).Descending(d => d.Id), new CreateIndexOptions { Name = "by_rule" });

    public static CreateIndexModel<NotificationDocument> OutboxDue { get; } = new(
        Builders<NotificationDocument>.IndexKeys.Ascending(d => d.Status).Ascending(d => d.NextAttemptAt).Ascending(d => d.Id), new CreateIndexOptions { Name = "due" });

    public static CreateIndexModel<NotificationDocument> OutboxByRule { get; } = new(
        Builders<NotificationDocument>.IndexKeys.Ascending(d => d.RuleId).Descending(d => d.Id), new CreateIndexOptions { Name = "by_rule" });

    public static CreateIndexModel<NotificationDocument> OutboxByChannel { get; } = new(
        Builders<NotificationDocument>.IndexKeys.Ascending(d => d.ChannelId).Descending(d => d.Id), new CreateIndexOptions { Name = "by_channel" });
}

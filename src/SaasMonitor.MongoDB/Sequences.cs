using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;

namespace SaasMonitor.MongoDB;

/// <summary>A named sequence in collection "counters": the audit log's, alert history's and outbox's ids rise by one per entry.</summary>
internal sealed class CounterDocument
{
    [BsonId]
    public string Name { get; set; } = "";

    [BsonElement("value")]
    public long Value { get; set; }
}

internal static class Sequences
{
    public const string Collection = "counters";

    /// <summary>Takes <paramref name="count"/> ids: one atomic <c>$inc</c> on the sequence, creating it at 0.</summary>
    public static UpdateDefinition<CounterDocument> Take(int count) => Builders<CounterDocument>.Update.Inc(d => d.Value, (long)count);

    /// <summary>The first of <paramref name="count"/> new ids of the sequence (inside the session's transaction when given).</summary>
    public static async Task<long> TakeAsync(this IMongoCollection<CounterDocument> counters, IClientSessionHandle? session, string name, int count, CancellationToken ct)
    {
        var filter = Builders<CounterDocument>.Filter.Eq(d => d.Name, name);
        var options = new FindOneAndUpdateOptions<CounterDocument> { IsUpsert = true, ReturnDocument = ReturnDocument.After };
        var taken = session is null
            ? await counters.FindOneAndUpdateAsync(filter, Take(count), options, ct).ConfigureAwait(false)
            : await counters.FindOneAndUpdateAsync(session, filter, Take(count), options, ct).ConfigureAwait(false);
        return taken.Value - count + 1;
    }
}

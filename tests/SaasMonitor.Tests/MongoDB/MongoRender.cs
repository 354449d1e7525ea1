using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace SaasMonitor.Tests.MongoDB;

/// <summary>
/// What the driver sends for a filter, update or index: rendered with the documents' class maps, as in a command.
/// And the documented effect of the update operators the stores use, to check what a stored document becomes.
/// </summary>
internal static class MongoRender
{
    public static BsonDocument Filter<T>(FilterDefinition<T> filter) => filter.Render(Args<T>());

    public static BsonDocument Update<T>(UpdateDefinition<T> update) => update.Render(Args<T>()).AsBsonDocument;

    public static BsonDocument Sort<T>(SortDefinition<T> sort) => sort.Render(Args<T>());

    public static BsonDocument Keys<T>(IndexKeysDefinition<T> keys) => keys.Render(Args<T>());

    public static BsonDocument Document<T>(T value) => value.ToBsonDocument();

    /// <summary>Equal documents, fields in the same order (as MongoDB compares them); shown as JSON when not.</summary>
    public static void ShouldBe(this BsonDocument actual, BsonDocument expected) => actual.ToJson().Should().Be(expected.ToJson());

    public static T Read<T>(BsonDocument document) => BsonSerializer.Deserialize<T>(document);

    /// <summary>
    /// An upsert as the server runs it (MongoDB manual, "upsert" and the field update operators): when nothing matches,
    /// the filter's equality fields seed a new document and $setOnInsert applies; $set, $inc, $min and $max always apply to dotted paths,
    /// creating embedded documents on the way and setting missing fields to the operand.
    /// </summary>
    public static BsonDocument Upsert(BsonDocument? stored, BsonDocument filter, BsonDocument update)
    {
        var document = stored?.DeepClone().AsBsonDocument ?? new BsonDocument(filter.Where(e => e.Value is not BsonDocument));
        foreach (var op in update.Where(op => stored is null || op.Name != "$setOnInsert"))
        {
            foreach (var field in op.Value.AsBsonDocument)
            {
                var (parent, name) = Parent(document, field.Name);
                var operand = field.Value;
                parent[name] = parent.TryGetValue(name, out var current)
                    ? op.Name switch
                    {
                        "$set" or "$setOnInsert" => operand,
                        "$inc" => Add(current, operand),
                        "$min" => current.ToDouble() <= operand.ToDouble() ? current : operand,
                        "$max" => current.ToDouble() >= operand.ToDouble() ? current : operand,
                        _ => throw new NotSupportedException(op.Name),
                    }
                    : operand;
            }
        }

        return document;
    }

    private static BsonValue Add(BsonValue a, BsonValue b) => (a.BsonType, b.BsonType) switch
    {
        (BsonType.Int64, BsonType.Int64) => new BsonInt64(a.AsInt64 + b.AsInt64),
        (BsonType.Double, _) or (_, BsonType.Double) => new BsonDouble(a.ToDouble() + b.ToDouble()),
        _ => throw new NotSupportedException($"$inc of {a.BsonType} by {b.BsonType}"),
    };

    private static (BsonDocument Parent, string Name) Parent(BsonDocument document, string path)
    {
        var parts = path.Split('.');
        foreach (var part in parts[..^1])
        {
            if (!document.TryGetValue(part, out var child))
            {
                child = new BsonDocument();
                document[part] = child;
            }

            document = child.AsBsonDocument;
        }

        return (document, parts[^1]);
    }

    private static RenderArgs<T> Args<T>() => new(BsonSerializer.LookupSerializer<T>(), BsonSerializer.SerializerRegistry);
}

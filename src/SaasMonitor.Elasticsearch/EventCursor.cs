using System.Buffers.Text;
using System.Text.Json;
using Elastic.Clients.Elasticsearch;
using SaasMonitor.Core.Search;

namespace SaasMonitor.Elasticsearch;

/// <summary>
/// Where a walk through hits stands: the sort it follows, the last hit's sort values (for <c>search_after</c>) and the
/// point in time the walk reads (null on the first page; opened for the second). Handed out base64url-encoded.
/// </summary>
internal sealed record EventCursor(SearchSort Sort, IReadOnlyList<FieldValue> After, string? PointInTime)
{
    public string Encode()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("s", (int)Sort);
            json.WriteStartArray("a");
            foreach (var value in After)
            {
                WriteValue(json, value);
            }

            json.WriteEndArray();
            if (PointInTime is not null)
            {
                json.WriteString("p", PointInTime);
            }

            json.WriteEndObject();
        }

        return Base64Url.EncodeToString(buffer.ToArray());
    }

    /// <exception cref="InvalidQueryException">The cursor is malformed or belongs to another sort.</exception>
    public static EventCursor Decode(SearchSort sort, string cursor, int sortValues)
    {
        try
        {
            using var json = JsonDocument.Parse(Base64Url.DecodeFromChars(cursor));
            var root = json.RootElement;
            if (root.GetProperty("s").GetInt32() != (int)sort)
            {
                throw Invalid(null);
            }

            var after = root.GetProperty("a").EnumerateArray().Select(ReadValue).ToList();
            if (after.Count != sortValues)
            {
                throw Invalid(null);
            }

            var pit = root.TryGetProperty("p", out var p) ? p.GetString() : null;
            return new EventCursor(sort, after, pit);
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw Invalid(e);
        }
    }

    private static void WriteValue(Utf8JsonWriter json, FieldValue value)
    {
        if (value.TryGetLong(out var l))
        {
            json.WriteNumberValue(l!.Value);
        }
        else if (value.TryGetDouble(out var d))
        {
            json.WriteNumberValue(d!.Value);
        }
        else if (value.TryGetString(out var s))
        {
            json.WriteStringValue(s);
        }
        else
        {
            json.WriteNullValue();
        }
    }

    private static FieldValue ReadValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var l) => FieldValue.Long(l),
        JsonValueKind.Number => FieldValue.Double(value.GetDouble()),
        JsonValueKind.String => FieldValue.String(value.GetString()!),
        JsonValueKind.Null => FieldValue.Null,
        _ => throw Invalid(null),
    };

    private static InvalidQueryException Invalid(Exception? inner) =>
        new("The cursor is not valid for this search; start again without it.", inner);
}

using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Ingest.Gateway.Wire;

/// <summary>
/// An OTLP logs export request (<c>ExportLogsServiceRequest</c>, protobuf or OTLP/JSON) as the lines of raw format
/// <c>otlp</c>: one JSON object per log record, its resource's and scope's context copied into it —
/// <c>time_unix_nano</c>, <c>observed_time_unix_nano</c> (strings), <c>severity_number</c>, <c>severity_text</c>,
/// <c>body</c> (a string, or the JSON of any other value), <c>trace_id</c> and <c>span_id</c> (hex), <c>event_name</c>,
/// <c>scope</c> (the instrumentation scope's name), and the <c>attributes</c> and <c>resource</c> attributes as JSON
/// objects (arrays and key-value lists as JSON arrays and objects, bytes as Base64).
/// </summary>
internal sealed class OtlpLogs
{
    private readonly ArrayBufferWriter<byte> _lines = new();
    private readonly Utf8JsonWriter _json;

    private OtlpLogs() => _json = new Utf8JsonWriter(_lines);

    public ReadOnlyMemory<byte> Lines => _lines.WrittenMemory;

    public int Records { get; private set; }

    /// <exception cref="InvalidDataException">The body is not an export request: the reason.</exception>
    public static OtlpLogs FromProtobuf(ReadOnlySpan<byte> body)
    {
        var logs = new OtlpLogs();
        var request = new ProtoReader(body);
        try
        {
            while (request.Next() is var field and > 0)
            {
                if (field == 1 && request.WireType == ProtoReader.LengthDelimited)
                {
                    logs.ReadResourceLogs(request.ReadBytes());
                }
                else
                {
                    request.Skip();
                }
            }
        }
        catch (ArgumentException ex)
        {
            // The JSON writer refuses a string that is not UTF-8, as protobuf requires strings to be.
            throw new InvalidDataException($"The protobuf message holds a string that is not valid UTF-8: {ex.Message}", ex);
        }

        return logs;
    }

    /// <exception cref="InvalidDataException">The body is not an OTLP/JSON export request: the reason.</exception>
    public static OtlpLogs FromJson(ReadOnlySpan<byte> body)
    {
        var logs = new OtlpLogs();
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException("The body must be an OTLP/JSON export request: an object with resourceLogs.");
            }

            foreach (var resourceLogs in Array(document.RootElement, "resourceLogs"))
            {
                var resource = Render(w => WriteJsonAttributes(w, resourceLogs.TryGetProperty("resource", out var r) ? Array(r, "attributes") : []));
                foreach (var scopeLogs in Array(resourceLogs, "scopeLogs"))
                {
                    var scope = scopeLogs.TryGetProperty("scope", out var s) && s.TryGetProperty("name", out var name) ? name.GetString() : null;
                    foreach (var record in Array(scopeLogs, "logRecords"))
                    {
                        logs.WriteJsonRecord(record, scope, resource);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"The body is not an OTLP/JSON export request: {ex.Message}", ex);
        }

        return logs;
    }

    private void ReadResourceLogs(ReadOnlySpan<byte> message)
    {
        byte[] resource = [];
        var fields = new ProtoReader(message);
        while (fields.Next() is var field and > 0)
        {
            if (field == 1 && fields.WireType == ProtoReader.LengthDelimited)
            {
                var attributes = fields.ReadBytes().ToArray();
                resource = Render(w => WriteProtoAttributes(w, attributes, attributesField: 1));
            }
            else
            {
                fields.Skip();
            }
        }

        fields = new ProtoReader(message);
        while (fields.Next() is var field and > 0)
        {
            if (field == 2 && fields.WireType == ProtoReader.LengthDelimited)
            {
                ReadScopeLogs(fields.ReadBytes(), resource);
            }
            else
            {
                fields.Skip();
            }
        }
    }

    private void ReadScopeLogs(ReadOnlySpan<byte> message, byte[] resource)
    {
        string? scope = null;
        var fields = new ProtoReader(message);
        while (fields.Next() is var field and > 0)
        {
            if (field == 1 && fields.WireType == ProtoReader.LengthDelimited)
            {
                scope = StringField(fields.ReadBytes(), 1);
            }
            else
            {
                fields.Skip();
            }
        }

        fields = new ProtoReader(message);
        while (fields.Next() is var field and > 0)
        {
            if (field == 2 && fields.WireType == ProtoReader.LengthDelimited)
            {
                WriteProtoRecord(fields.ReadBytes(), scope, resource);
            }
            else
            {
                fields.Skip();
            }
        }
    }

    private void WriteProtoRecord(ReadOnlySpan<byte> record, string? scope, byte[] resource)
    {
        var w = _json;
        w.WriteStartObject();
        var fields = new ProtoReader(record);
        while (fields.Next() is var field and > 0)
        {
            switch (field, fields.WireType)
            {
                case (1, ProtoReader.Fixed64):
                    w.WriteString("time_unix_nano", fields.ReadFixed64().ToString(CultureInfo.InvariantCulture));
                    break;
                case (11, ProtoReader.Fixed64):
                    w.WriteString("observed_time_unix_nano", fields.ReadFixed64().ToString(CultureInfo.InvariantCulture));
                    break;
                case (2, ProtoReader.Varint):
                    w.WriteNumber("severity_number", (long)fields.ReadVarint());
                    break;
                case (3, ProtoReader.LengthDelimited):
                    w.WriteString("severity_text", fields.ReadBytes());
                    break;
                case (5, ProtoReader.LengthDelimited):
                    w.WritePropertyName("body");
                    WriteProtoValue(w, fields.ReadBytes());
                    break;
                case (9, ProtoReader.LengthDelimited):
                    WriteHex(w, "trace_id", fields.ReadBytes());
                    break;
                case (10, ProtoReader.LengthDelimited):
                    WriteHex(w, "span_id", fields.ReadBytes());
                    break;
                case (12, ProtoReader.LengthDelimited):
                    w.WriteString("event_name", fields.ReadBytes());
                    break;
                default:
                    fields.Skip();
                    break;
            }
        }

        w.WritePropertyName("attributes");
        WriteProtoAttributes(w, record, attributesField: 6);
        EndRecord(scope, resource);
    }

    /// <summary>The <c>KeyValue</c> fields numbered <paramref name="attributesField"/> of a message, as one JSON object.</summary>
    private static void WriteProtoAttributes(Utf8JsonWriter w, ReadOnlySpan<byte> message, int attributesField)
    {
        w.WriteStartObject();
        var fields = new ProtoReader(message);
        while (fields.Next() is var field and > 0)
        {
            if (field == attributesField && fields.WireType == ProtoReader.LengthDelimited)
            {
                WriteProtoKeyValue(w, fields.ReadBytes());
            }
            else
            {
                fields.Skip();
            }
        }

        w.WriteEndObject();
    }

    private static void WriteProtoKeyValue(Utf8JsonWriter w, ReadOnlySpan<byte> keyValue)
    {
        ReadOnlySpan<byte> key = [];
        ReadOnlySpan<byte> value = [];
        var fields = new ProtoReader(keyValue);
        while (fields.Next() is var field and > 0)
        {
            switch (field, fields.WireType)
            {
                case (1, ProtoReader.LengthDelimited):
                    key = fields.ReadBytes();
                    break;
                case (2, ProtoReader.LengthDelimited):
                    value = fields.ReadBytes();
                    break;
                default:
                    fields.Skip();
                    break;
            }
        }

        w.WritePropertyName(key);
        WriteProtoValue(w, value);
    }

    /// <summary>An <c>AnyValue</c> as JSON; an empty one is null.</summary>
    private static void WriteProtoValue(Utf8JsonWriter w, ReadOnlySpan<byte> anyValue)
    {
        var fields = new ProtoReader(anyValue);
        while (fields.Next() is var field and > 0)
        {
            switch (field, fields.WireType)
            {
                case (1, ProtoReader.LengthDelimited):
                    w.WriteStringValue(fields.ReadBytes());
                    return;
                case (2, ProtoReader.Varint):
                    w.WriteBooleanValue(fields.ReadVarint() != 0);
                    return;
                case (3, ProtoReader.Varint):
                    w.WriteNumberValue((long)fields.ReadVarint());
                    return;
                case (4, ProtoReader.Fixed64):
                    w.WriteNumberValue(BitConverter.UInt64BitsToDouble(fields.ReadFixed64()));
                    return;
                case (5, ProtoReader.LengthDelimited):
                    w.WriteStartArray();
                    var values = new ProtoReader(fields.ReadBytes());
                    while (values.Next() is var item and > 0)
                    {
                        if (item == 1 && values.WireType == ProtoReader.LengthDelimited)
                        {
                            WriteProtoValue(w, values.ReadBytes());
                        }
                        else
                        {
                            values.Skip();
                        }
                    }

                    w.WriteEndArray();
                    return;
                case (6, ProtoReader.LengthDelimited):
                    WriteProtoAttributes(w, fields.ReadBytes(), attributesField: 1);
                    return;
                case (7, ProtoReader.LengthDelimited):
                    w.WriteBase64StringValue(fields.ReadBytes());
                    return;
                default:
                    fields.Skip();
                    break;
            }
        }

        w.WriteNullValue();
    }

    private void WriteJsonRecord(JsonElement record, string? scope, byte[] resource)
    {
        var w = _json;
        w.WriteStartObject();
        foreach (var property in record.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "timeUnixNano":
                    w.WriteString("time_unix_nano", Integer(value));
                    break;
                case "observedTimeUnixNano":
                    w.WriteString("observed_time_unix_nano", Integer(value));
                    break;
                case "severityNumber" when value.ValueKind == JsonValueKind.Number:
                    w.WriteNumber("severity_number", value.GetInt64());
                    break;
                case "severityText":
                    w.WriteString("severity_text", value.GetString());
                    break;
                case "body":
                    w.WritePropertyName("body");
                    WriteJsonValue(w, value);
                    break;
                case "traceId" when value.GetString() is { Length: > 0 } traceId:
                    w.WriteString("trace_id", traceId.ToLowerInvariant());
                    break;
                case "spanId" when value.GetString() is { Length: > 0 } spanId:
                    w.WriteString("span_id", spanId.ToLowerInvariant());
                    break;
                case "eventName":
                    w.WriteString("event_name", value.GetString());
                    break;
            }
        }

        w.WritePropertyName("attributes");
        WriteJsonAttributes(w, Array(record, "attributes"));
        EndRecord(scope, resource);
    }

    private static void WriteJsonAttributes(Utf8JsonWriter w, IEnumerable<JsonElement> keyValues)
    {
        w.WriteStartObject();
        foreach (var keyValue in keyValues)
        {
            w.WritePropertyName(keyValue.GetProperty("key").GetString()!);
            WriteJsonValue(w, keyValue.TryGetProperty("value", out var value) ? value : default);
        }

        w.WriteEndObject();
    }

    /// <summary>An OTLP/JSON <c>AnyValue</c> (<c>{"stringValue":"..."}</c>, <c>{"intValue":"5"}</c> ...) as plain JSON.</summary>
    private static void WriteJsonValue(Utf8JsonWriter w, JsonElement anyValue)
    {
        if (anyValue.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in anyValue.EnumerateObject())
            {
                var value = property.Value;
                switch (property.Name)
                {
                    case "stringValue":
                        w.WriteStringValue(value.GetString());
                        return;
                    case "boolValue":
                        w.WriteBooleanValue(value.GetBoolean());
                        return;
                    case "intValue":
                        w.WriteNumberValue(long.Parse(Integer(value), CultureInfo.InvariantCulture));
                        return;
                    case "doubleValue":
                        w.WriteNumberValue(value.ValueKind == JsonValueKind.String ? double.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetDouble());
                        return;
                    case "bytesValue":
                        w.WriteStringValue(value.GetString());
                        return;
                    case "arrayValue":
                        w.WriteStartArray();
                        foreach (var item in Array(value, "values"))
                        {
                            WriteJsonValue(w, item);
                        }

                        w.WriteEndArray();
                        return;
                    case "kvlistValue":
                        WriteJsonAttributes(w, Array(value, "values"));
                        return;
                }
            }
        }

        w.WriteNullValue();
    }

    /// <summary>Closes a record with its scope and resource, and ends its line.</summary>
    private void EndRecord(string? scope, byte[] resource)
    {
        if (scope is { Length: > 0 })
        {
            _json.WriteString("scope", scope);
        }

        _json.WritePropertyName("resource");
        _json.WriteRawValue(resource, skipInputValidation: true);
        _json.WriteEndObject();
        _json.Flush();
        _json.Reset();
        _lines.Write("\n"u8);
        Records++;
    }

    /// <summary>What <paramref name="write"/> writes, as bytes to copy into every record that shares it.</summary>
    private static byte[] Render(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteHex(Utf8JsonWriter w, string name, ReadOnlySpan<byte> id)
    {
        if (!id.IsEmpty)
        {
            w.WriteString(name, Convert.ToHexStringLower(id));
        }
    }

    /// <summary>The string field numbered <paramref name="number"/> of a message, or null.</summary>
    private static string? StringField(ReadOnlySpan<byte> message, int number)
    {
        var fields = new ProtoReader(message);
        while (fields.Next() is var field and > 0)
        {
            if (field == number && fields.WireType == ProtoReader.LengthDelimited)
            {
                return System.Text.Encoding.UTF8.GetString(fields.ReadBytes());
            }

            fields.Skip();
        }

        return null;
    }

    /// <summary>A 64-bit integer as OTLP/JSON writes it: a decimal string, or a number.</summary>
    private static string Integer(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    private static IEnumerable<JsonElement> Array(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array ? array.EnumerateArray() : [];
}

using System.Text.Json;

namespace SaasMonitor.Core.Events;

/// <summary>
/// Reads the events topic's JSON form of <see cref="LogEvent"/> straight from its UTF-8 bytes, for the stages that
/// read every event (indexer, aggregator). It accepts what <see cref="LogEventJson.Event"/> accepts (properties in any
/// order, escaped names, nulls for optional fields, unknown properties skipped) without the serializer's per-property
/// boxing of a record with init-only members.
/// </summary>
public static class LogEventReader
{
    /// <summary>Reads one event; <paramref name="withText"/> false skips the message, raw line and extra fields undecoded.</summary>
    /// <exception cref="JsonException">The bytes are not an event: malformed, not an object, or without id, timestamp or level.</exception>
    public static LogEvent Read(ReadOnlySpan<byte> utf8, bool withText = true)
    {
        try
        {
            return ReadObject(utf8, withText);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            // A value of the wrong kind (a string where a number belongs, a malformed date).
            throw new JsonException($"An event has a value of the wrong type: {e.Message}", e);
        }
    }

    private static LogEvent ReadObject(ReadOnlySpan<byte> utf8, bool withText)
    {
        var reader = new Utf8JsonReader(utf8);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("An event must be a JSON object.");
        }

        string? id = null, level = null, message = null, service = null, server = null, endpoint = null, method = null;
        string? clientIp = null, userId = null, tenantId = null, traceId = null, raw = null, source = null, fileId = null;
        DateTimeOffset? timestamp = null;
        DateTimeOffset receivedAt = default;
        int? statusCode = null;
        double? responseTimeMs = null;
        Dictionary<string, string>? extra = null;
        Span<byte> nameBuffer = stackalloc byte[32];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = Name(ref reader, nameBuffer);
            reader.Read();
            var isNull = reader.TokenType == JsonTokenType.Null;
            switch (name)
            {
                case Property.Id: id = reader.GetString(); break;
                case Property.Timestamp: timestamp = isNull ? null : reader.GetDateTimeOffset(); break;
                case Property.Level: level = reader.GetString(); break;
                case Property.Message when withText: message = reader.GetString(); break;
                case Property.Service: service = reader.GetString(); break;
                case Property.Server: server = reader.GetString(); break;
                case Property.Endpoint: endpoint = reader.GetString(); break;
                case Property.Method: method = reader.GetString(); break;
                case Property.StatusCode: statusCode = isNull ? null : reader.GetInt32(); break;
                case Property.ResponseTimeMs: responseTimeMs = isNull ? null : reader.GetDouble(); break;
                case Property.ClientIp: clientIp = reader.GetString(); break;
                case Property.UserId: userId = reader.GetString(); break;
                case Property.TenantId: tenantId = reader.GetString(); break;
                case Property.TraceId: traceId = reader.GetString(); break;
                case Property.Extra when withText: extra = isNull ? null : ReadExtra(ref reader); break;
                case Property.Raw when withText: raw = reader.GetString(); break;
                case Property.Source: source = reader.GetString(); break;
                case Property.FileId: fileId = reader.GetString(); break;
                case Property.ReceivedAt: receivedAt = isNull ? default : reader.GetDateTimeOffset(); break;
                default: reader.Skip(); break;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException("An event's JSON object is not closed.");
        }

        return new LogEvent
        {
            Id = id ?? throw Missing("id"),
            Timestamp = timestamp ?? throw Missing("timestamp"),
            Level = level ?? throw Missing("level"),
            Message = message ?? "",
            Service = service,
            Server = server,
            Endpoint = endpoint,
            Method = method,
            StatusCode = statusCode,
            ResponseTimeMs = responseTimeMs,
            ClientIp = clientIp,
            UserId = userId,
            TenantId = tenantId,
            TraceId = traceId,
            Extra = extra,
            Raw = raw,
            Source = source,
            FileId = fileId,
            ReceivedAt = receivedAt,
        };
    }

    private static JsonException Missing(string property) => new($"An event needs '{property}'.");

    private static Dictionary<string, string> ReadExtra(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("An event's 'extra' must be an object of strings.");
        }

        var extra = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            reader.Read();
            extra[key] = reader.GetString() ?? throw new JsonException($"The extra field '{key}' of an event is null.");
        }

        return extra;
    }

    /// <summary>The property the reader stands on (names of the events topic's schema; unknown ones are skipped).</summary>
    private static Property Name(ref Utf8JsonReader reader, scoped Span<byte> buffer)
    {
        scoped ReadOnlySpan<byte> name;
        if (!reader.ValueIsEscaped)
        {
            name = reader.ValueSpan;
        }
        else if (reader.ValueSpan.Length <= buffer.Length)
        {
            name = buffer[..reader.CopyString(buffer)];
        }
        else
        {
            return Property.Unknown;
        }

        return name switch
        {
            _ when name.SequenceEqual("id"u8) => Property.Id,
            _ when name.SequenceEqual("timestamp"u8) => Property.Timestamp,
            _ when name.SequenceEqual("level"u8) => Property.Level,
            _ when name.SequenceEqual("message"u8) => Property.Message,
            _ when name.SequenceEqual("service"u8) => Property.Service,
            _ when name.SequenceEqual("server"u8) => Property.Server,
            _ when name.SequenceEqual("endpoint"u8) => Property.Endpoint,
            _ when name.SequenceEqual("method"u8) => Property.Method,
            _ when name.SequenceEqual("status_code"u8) => Property.StatusCode,
            _ when name.SequenceEqual("response_time_ms"u8) => Property.ResponseTimeMs,
            _ when name.SequenceEqual("client_ip"u8) => Property.ClientIp,
            _ when name.SequenceEqual("user_id"u8) => Property.UserId,
            _ when name.SequenceEqual("tenant_id"u8) => Property.TenantId,
            _ when name.SequenceEqual("trace_id"u8) => Property.TraceId,
            _ when name.SequenceEqual("extra"u8) => Property.Extra,
            _ when name.SequenceEqual("raw"u8) => Property.Raw,
            _ when name.SequenceEqual("source"u8) => Property.Source,
            _ when name.SequenceEqual("file_id"u8) => Property.FileId,
            _ when name.SequenceEqual("received_at"u8) => Property.ReceivedAt,
            _ => Property.Unknown,
        };
    }

    private enum Property
    {
        Unknown,
        Id,
        Timestamp,
        Level,
        Message,
        Service,
        Server,
        Endpoint,
        Method,
        StatusCode,
        ResponseTimeMs,
        ClientIp,
        UserId,
        TenantId,
        TraceId,
        Extra,
        Raw,
        Source,
        FileId,
        ReceivedAt,
    }
}

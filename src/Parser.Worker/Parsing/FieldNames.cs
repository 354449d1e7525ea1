namespace Parser.Worker.Parsing;

/// <summary>The <see cref="SaasMonitor.Core.Events.LogEvent"/> field a record's key or column maps to.</summary>
internal enum FieldKind : byte
{
    Extra,
    Timestamp,
    Level,
    Service,
    Message,
    Endpoint,
    StatusCode,
    ResponseTimeMs,
    ClientIp,
    UserId,
    TenantId,
    TraceId,
    Server,
    Method,
}

/// <summary>Maps JSON keys and CSV headers (any case, with the usual aliases) to <see cref="FieldKind"/>.</summary>
internal static class FieldNames
{
    private const int LongestAlias = 16;

    public static FieldKind Lookup(ReadOnlySpan<byte> utf8Name)
    {
        if (utf8Name.Length > LongestAlias)
        {
            return FieldKind.Extra;
        }

        Span<char> lower = stackalloc char[LongestAlias];
        for (var i = 0; i < utf8Name.Length; i++)
        {
            var b = utf8Name[i];
            if (b >= 0x80)
            {
                return FieldKind.Extra;
            }

            lower[i] = (char)(b is >= (byte)'A' and <= (byte)'Z' ? b | 0x20 : b);
        }

        return Lookup(lower[..utf8Name.Length]);
    }

    private static FieldKind Lookup(ReadOnlySpan<char> lower) => lower switch
    {
        "timestamp" or "@timestamp" or "time" or "date" or "datetime" or "ts" => FieldKind.Timestamp,
        "level" or "severity" or "log_level" or "loglevel" => FieldKind.Level,
        "log_type" or "service" or "source_type" or "app" or "application" => FieldKind.Service,
        "message" or "msg" or "content" => FieldKind.Message,
        "endpoint" or "path" or "url" or "uri" or "request_path" or "requestpath" => FieldKind.Endpoint,
        "status_code" or "status" or "http_status" or "statuscode" => FieldKind.StatusCode,
        "response_time_ms" or "response_time" or "duration_ms" or "latency_ms" or "elapsed_ms" or "elapsed" => FieldKind.ResponseTimeMs,
        "client_ip" or "ip" or "remote_addr" or "clientip" => FieldKind.ClientIp,
        "user_id" or "user" or "userid" or "username" => FieldKind.UserId,
        "tenant_id" or "tenant" => FieldKind.TenantId,
        "trace_id" or "traceid" or "trace" => FieldKind.TraceId,
        "server" or "host" or "hostname" or "machinename" => FieldKind.Server,
        "method" or "http_method" or "verb" or "requestmethod" => FieldKind.Method,
        _ => FieldKind.Extra,
    };
}

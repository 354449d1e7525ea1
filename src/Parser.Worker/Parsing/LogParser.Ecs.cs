using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Parser.Worker.Parsing;

/// <summary>
/// Elasticsearch documents (format <c>ecs</c>), as shippers' <c>elasticsearch</c> outputs send them: nested objects are
/// read as dotted names, so <c>{"log":{"level":"error"}}</c> and <c>{"log.level":"error"}</c> are the same field. Elastic
/// Common Schema names fill the event: <c>@timestamp</c>, <c>log.level</c>, <c>message</c>, <c>service.name</c>,
/// <c>host.name</c>/<c>host.hostname</c>, <c>http.request.method</c>, <c>url.path</c>, <c>http.response.status_code</c>,
/// <c>event.duration</c> (nanoseconds), <c>user.id</c>/<c>user.name</c>, <c>trace.id</c>, <c>client.ip</c>/<c>source.ip</c>,
/// <c>organization.id</c>, and the OpenTelemetry names OTLP records use for the same (<c>http.method</c>,
/// <c>http.status_code</c>, <c>http.route</c>, <c>enduser.id</c>, <c>client.address</c>); <c>span.id</c> becomes <c>span_id</c> and <c>_index</c> <c>index</c>. Other undotted names map
/// like JSON keys (<c>level</c>, <c>msg</c>, <c>log</c> as Fluent Bit sends a container's line ...), the rest stay fields
/// under their dotted names (<c>error.stack_trace</c>, <c>event.dataset</c> ...). A document that states no level is read
/// like a text line too: a shipper tailing a file sends the line as the message, whose prefix gives its own time and level.
/// </summary>
public sealed partial class LogParser
{
    private const double NanosecondsPerMillisecond = 1_000_000;

    private void ReadEcs(JsonElement root)
    {
        ReadEcsObject(root, "");
        ReadShippedLine();
    }

    /// <summary>
    /// When the record names no level, reads its message as the text line a shipper tailed: the line's own time (when it
    /// happened; the record's is often when the shipper read it) and level, and the message after them.
    /// </summary>
    private void ReadShippedLine()
    {
        if (_builder.Level is null && _builder.Message is { Length: > 0 } message)
        {
            var shipped = _builder.Timestamp;
            _builder.Timestamp = null;
            TextLine.Parse(Encoding.UTF8.GetBytes(message), _builder, _context.ReceivedAt);
            _builder.Timestamp ??= shipped;
        }
    }

    private void ReadEcsObject(JsonElement value, string prefix)
    {
        foreach (var property in value.EnumerateObject())
        {
            var name = prefix.Length == 0 ? property.Name : string.Concat(prefix, ".", property.Name);
            if (property.Value.ValueKind == JsonValueKind.Object)
            {
                ReadEcsObject(property.Value, name);
            }
            else if (property.Value.ValueKind != JsonValueKind.Null)
            {
                SetEcsField(name, property.Value);
            }
        }
    }

    private void SetEcsField(string name, JsonElement value)
    {
        var text = Text(value);
        var utf8 = Encoding.UTF8.GetBytes(text);
        switch (name)
        {
            case "@timestamp":
                _builder.SetTimestamp(utf8);
                break;
            case "log.level":
                _builder.Set(FieldKind.Level, name, utf8);
                break;
            case "message":
                _builder.Message = text;
                break;
            case "log" when value.ValueKind == JsonValueKind.String:
                _builder.Message ??= text;
                break;
            case "service.name":
                _builder.Set(FieldKind.Service, name, utf8);
                break;
            case "host.name" or "host.hostname":
                _builder.Set(FieldKind.Server, name, utf8);
                break;
            case "http.request.method" or "http.method":
                _builder.Set(FieldKind.Method, name, utf8);
                break;
            case "url.path" or "http.route":
                _builder.Set(FieldKind.Endpoint, name, utf8);
                break;
            case "http.response.status_code" or "http.status_code":
                _builder.SetStatus(utf8);
                break;
            case "event.duration" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var nanoseconds):
                _builder.ResponseTimeMs = nanoseconds / NanosecondsPerMillisecond;
                break;
            case "user.id" or "enduser.id":
                _builder.Set(FieldKind.UserId, name, utf8);
                break;
            case "user.name":
                _builder.UserId ??= _builder.Value(utf8);
                break;
            case "trace.id":
                _builder.Set(FieldKind.TraceId, name, utf8);
                break;
            case "span.id":
                _builder.AddExtra("span_id", text);
                break;
            case "client.ip" or "source.ip" or "client.address":
                _builder.Set(FieldKind.ClientIp, name, utf8);
                break;
            case "organization.id":
                _builder.Set(FieldKind.TenantId, name, utf8);
                break;
            case "_index":
                _builder.AddExtra("index", text);
                break;
            default:
                var utf8Name = Encoding.UTF8.GetBytes(name);
                _builder.Set(name.Contains('.', StringComparison.Ordinal) ? FieldKind.Extra : FieldNames.Lookup(utf8Name), _builder.Keyword(utf8Name), utf8);
                break;
        }
    }
}

using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using SaasMonitor.Core.Events;

namespace Parser.Worker.Parsing;

/// <summary>
/// OpenTelemetry log records (format <c>otlp</c>, one per line as the gateway writes them from OTLP/HTTP): the record's
/// time (else its observed time), severity number (else its text), body (a string, or the JSON of any other value),
/// trace and span ids, event name and scope. Attributes and resource attributes named by the semantic conventions fill
/// the event as in ECS documents (<c>service.name</c>, <c>host.name</c>, <c>http.request.method</c>, <c>url.path</c>,
/// <c>http.response.status_code</c>, <c>user.id</c> ...; also the older <c>http.method</c>, <c>http.status_code</c>,
/// <c>http.route</c>, and <c>client.address</c>, <c>enduser.id</c>); other dotted names stay fields
/// (<c>exception.stacktrace</c> ...), undotted ones map like CLEF properties. A body that is a message template whose
/// holes name attributes (what .NET's OpenTelemetry exporter sends) is rendered with them, the template kept as
/// <c>message_template</c>; the template attribute of older exporters (<c>{OriginalFormat}</c>) is dropped.
/// </summary>
public sealed partial class LogParser
{
    private const string OriginalFormat = "{OriginalFormat}";

    private void ReadOtlp(JsonElement root)
    {
        string? observed = null;
        long severity = 0;
        string? severityText = null;
        var attributes = default(JsonElement);
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "time_unix_nano":
                    SetUnixNanoseconds(Text(value));
                    break;
                case "observed_time_unix_nano":
                    observed = Text(value);
                    break;
                case "severity_number" when value.TryGetInt64(out var number):
                    severity = number;
                    break;
                case "severity_text":
                    severityText = Text(value);
                    break;
                case "body" when value.ValueKind != JsonValueKind.Null:
                    _builder.Message = Text(value);
                    break;
                case "trace_id":
                    _builder.TraceId = Text(value);
                    break;
                case "span_id":
                    _builder.AddExtra("span_id", Text(value));
                    break;
                case "event_name":
                    _builder.AddExtra("event_name", Text(value));
                    break;
                case "scope":
                    _builder.AddExtra("scope", Text(value));
                    break;
                case "attributes" or "resource" when value.ValueKind == JsonValueKind.Object:
                    attributes = property.Name == "attributes" ? value : attributes;
                    foreach (var attribute in value.EnumerateObject())
                    {
                        SetOtlpAttribute(attribute.Name, attribute.Value);
                    }

                    break;
            }
        }

        if (_builder.Timestamp is null && observed is not null)
        {
            SetUnixNanoseconds(observed);
        }

        _builder.Level = LevelOfSeverity(severity);
        if (_builder.Level is null && severityText is not null)
        {
            _builder.Set(FieldKind.Level, "severity_text", Encoding.UTF8.GetBytes(severityText));
        }

        if (_builder.Message is { } body && body.Contains('{', StringComparison.Ordinal) && attributes.ValueKind == JsonValueKind.Object
            && RenderTemplate(body, attributes) is var rendered && rendered != body)
        {
            _builder.AddExtra("message_template", body);
            _builder.Message = rendered;
        }
    }

    private void SetOtlpAttribute(string name, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null || name == OriginalFormat)
        {
            return;
        }

        if (name.Contains('.', StringComparison.Ordinal))
        {
            SetEcsField(name, value);
        }
        else
        {
            SetNamedProperty(name, value);
        }
    }

    private void SetUnixNanoseconds(string nanoseconds) => SetUnixNanoseconds(Encoding.UTF8.GetBytes(nanoseconds));

    private void SetUnixNanoseconds(ReadOnlySpan<byte> nanoseconds)
    {
        if (Utf8Parser.TryParse(nanoseconds, out ulong ns, out var consumed) && consumed == nanoseconds.Length && ns > 0)
        {
            _builder.Timestamp = DateTimeOffset.UnixEpoch.AddTicks((long)(ns / 100));
        }
    }

    /// <summary>OpenTelemetry's severity number ranges: 1–8 trace and debug, 9–12 info, 13–16 warn, 17–20 error, 21–24 fatal.</summary>
    private static string? LevelOfSeverity(long number) => number switch
    {
        >= 1 and <= 8 => LogLevels.Debug,
        >= 9 and <= 12 => LogLevels.Info,
        >= 13 and <= 16 => LogLevels.Warning,
        >= 17 and <= 20 => LogLevels.Error,
        >= 21 and <= 24 => LogLevels.Critical,
        _ => null,
    };
}

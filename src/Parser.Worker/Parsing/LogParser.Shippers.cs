using System.Text;
using System.Text.Json;

namespace Parser.Worker.Parsing;

/// <summary>
/// The JSON formats of shippers, one object per line. Compact Log Event Format (what Serilog.Sinks.Seq and Seq's
/// <c>/api/events/raw</c> carry):
/// <c>@t</c> timestamp, <c>@l</c> level (absent: Information), <c>@m</c> the rendered message or <c>@mt</c> the message
/// template (rendered here with the event's properties and kept as <c>message_template</c>), <c>@x</c> the exception
/// (field <c>exception</c>, stack trace included), <c>@i</c> event id, <c>@tr</c> trace id, <c>@sp</c> span id. Other
/// properties map to event fields by name (<c>RequestPath</c>, <c>StatusCode</c>, <c>Elapsed</c>, <c>MachineName</c>, ...)
/// or become extra fields; <c>@@name</c> is a property named <c>@name</c>.
/// GELF: <c>timestamp</c> (epoch seconds), <c>level</c> (syslog severity), <c>host</c> (server), <c>short_message</c>
/// (message), <c>full_message</c>, <c>facility</c>, <c>file</c>, <c>line</c> as fields, and additional <c>_name</c> fields
/// mapped by name like CLEF properties (<c>_id</c> is reserved and ignored).
/// </summary>
public sealed partial class LogParser
{
    private void ReadObjectLine(ReadOnlySpan<byte> line, LineFormat format)
    {
        var reader = new Utf8JsonReader(line);
        JsonDocument document;
        try
        {
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            _builder.Fail(ParseErrorTypes.InvalidJson, e.Message);
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                _builder.Fail(ParseErrorTypes.InvalidJson, $"expected a JSON object, found {root.ValueKind}");
                return;
            }

            if (!line[(int)reader.BytesConsumed..].Trim(Whitespace).IsEmpty)
            {
                _builder.Fail(ParseErrorTypes.InvalidJson, $"unexpected content after the JSON object at byte {reader.BytesConsumed}");
                return;
            }

            switch (format)
            {
                case LineFormat.Gelf:
                    ReadGelf(root);
                    break;
                case LineFormat.Ecs:
                    ReadEcs(root);
                    break;
                case LineFormat.Otlp:
                    ReadOtlp(root);
                    break;
                default:
                    ReadClef(root);
                    break;
            }
        }
    }

    private void ReadGelf(JsonElement root)
    {
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "version" or "_id":
                    break;
                case "host":
                    _builder.Server = _builder.Keyword(Encoding.UTF8.GetBytes(Text(value)));
                    break;
                case "short_message":
                    _builder.Message = Text(value);
                    break;
                case "timestamp":
                    _builder.SetTimestamp(Encoding.UTF8.GetBytes(Text(value)));
                    break;
                case "level" when value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var severity) && severity is >= 0 and <= 7:
                    _builder.Level = Syslog.LevelOf(severity);
                    break;
                case "level":
                    _builder.Set(FieldKind.Level, "level", Encoding.UTF8.GetBytes(Text(value)));
                    break;
                case ['_', .. var name]:
                    SetNamedProperty(name, value);
                    break;
                default:
                    _builder.AddExtra(property.Name, Text(value));
                    break;
            }
        }
    }

    private void ReadClef(JsonElement root)
    {
        string? template = null;
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "@t":
                    _builder.SetTimestamp(Encoding.UTF8.GetBytes(Text(value)));
                    break;
                case "@l":
                    _builder.Set(FieldKind.Level, "level", Encoding.UTF8.GetBytes(Text(value)));
                    break;
                case "@m":
                    _builder.Message = Text(value);
                    break;
                case "@mt":
                    template = Text(value);
                    break;
                case "@x":
                    _builder.AddExtra("exception", Text(value));
                    break;
                case "@i":
                    _builder.AddExtra("event_id", Text(value));
                    break;
                case "@tr":
                    _builder.TraceId = Text(value);
                    break;
                case "@sp":
                    _builder.AddExtra("span_id", Text(value));
                    break;
                case "@r":
                    // Renderings of formatted tokens; the template is rendered here.
                    break;
                default:
                    SetNamedProperty(property.Name.StartsWith("@@", StringComparison.Ordinal) ? property.Name[1..] : property.Name, value);
                    break;
            }
        }

        if (template is not null)
        {
            _builder.AddExtra("message_template", template);
            _builder.Message ??= RenderTemplate(template, root);
        }
    }

    /// <summary>
    /// A property as an event field when its name maps to one (the timestamp, level and message only ever come from the
    /// format's own keys), else an extra field.
    /// </summary>
    private void SetNamedProperty(string name, JsonElement value)
    {
        var utf8Name = Encoding.UTF8.GetBytes(name);
        var kind = FieldNames.Lookup(utf8Name);
        if (kind is FieldKind.Timestamp or FieldKind.Level or FieldKind.Message)
        {
            kind = FieldKind.Extra;
        }

        _builder.Set(kind, _builder.Keyword(utf8Name), Encoding.UTF8.GetBytes(Text(value)));
    }

    /// <summary>
    /// A Serilog message template with its holes (<c>{Name}</c>, <c>{@Name}</c>, <c>{$Name}</c>, <c>{Name:format}</c>,
    /// <c>{Name,width}</c>, positional <c>{0}</c>) filled with the properties' values; <c>{{</c> and <c>}}</c> are braces;
    /// a hole without a property stays as written.
    /// </summary>
    internal static string RenderTemplate(string template, JsonElement properties)
    {
        var result = new StringBuilder(template.Length + 32);
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if ((c == '{' || c == '}') && i + 1 < template.Length && template[i + 1] == c)
            {
                result.Append(c);
                i += 2;
                continue;
            }

            var close = c == '{' ? template.IndexOf('}', i + 1) : -1;
            if (close < 0)
            {
                result.Append(c);
                i++;
                continue;
            }

            var hole = template.AsSpan(i + 1, close - i - 1);
            if (hole.Length > 0 && hole[0] is '@' or '$')
            {
                hole = hole[1..];
            }

            var nameEnd = hole.IndexOfAny(':', ',');
            var name = (nameEnd < 0 ? hole : hole[..nameEnd]).ToString();
            if (name.Length > 0 && properties.TryGetProperty(name, out var value))
            {
                result.Append(Text(value));
            }
            else
            {
                result.Append(template, i, close - i + 1);
            }

            i = close + 1;
        }

        return result.ToString();
    }

    /// <summary>A string's value, or any other JSON value as its JSON text.</summary>
    private static string Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.GetRawText();
}

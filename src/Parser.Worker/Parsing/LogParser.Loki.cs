using System.Text;
using System.Text.Json;

namespace Parser.Worker.Parsing;

/// <summary>
/// Loki entries (format <c>loki</c>, one per line as the gateway writes them from a push): <c>ts</c> (Unix nanoseconds)
/// is the time and <c>line</c> the message; the stream's labels and the entry's structured metadata map like JSON keys
/// (<c>level</c>/<c>detected_level</c>, <c>app</c>/<c>service_name</c>/<c>job</c>, <c>host</c>/<c>instance</c>,
/// <c>trace_id</c> ...) or stay fields. An entry whose labels give no level is read like a text line, as Promtail and
/// Alloy ship lines tailed from files.
/// </summary>
public sealed partial class LogParser
{
    private void ReadLoki(JsonElement root)
    {
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "ts":
                    SetUnixNanoseconds(Text(value));
                    break;
                case "line":
                    _builder.Message = Text(value);
                    break;
                case "labels" or "metadata" when value.ValueKind == JsonValueKind.Object:
                    foreach (var label in value.EnumerateObject())
                    {
                        SetLokiLabel(label.Name, Text(label.Value));
                    }

                    break;
            }
        }

        ReadShippedLine();
    }

    private void SetLokiLabel(string name, string value)
    {
        var utf8Name = Encoding.UTF8.GetBytes(name);
        var kind = name switch
        {
            "detected_level" => FieldKind.Level,
            "service_name" or "job" when _builder.Service is null => FieldKind.Service,
            "instance" or "node" when _builder.Server is null => FieldKind.Server,
            _ => FieldNames.Lookup(utf8Name),
        };
        if (kind is FieldKind.Timestamp or FieldKind.Message)
        {
            kind = FieldKind.Extra;
        }

        _builder.Set(kind, _builder.Keyword(utf8Name), Encoding.UTF8.GetBytes(value));
    }
}

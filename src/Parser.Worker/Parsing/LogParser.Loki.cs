using System.Text;
using System.Text.Json;

namespace Parser.Worker.Parsing;

/// <summary>
/// Loki entries (format <c>loki</c>, one per line as the gateway writes them from a push): <c>ts</c> (Unix nanoseconds)
/// is the time and <c>line</c> the message; the stream's labels and the entry's structured metadata map like JSON keys
/// (<c>level</c>/<c>detected_level</c>, <c>app</c>/<c>service_name</c>/<c>job</c>, <c>host</c>/<c>instance</c>,
/// <c>trace_id</c> ...) or stay fields. An entry whose labels give no level is read like a text line, as Promtail and
/// Alloy ship lines tailed from files.
/// Entries are read straight from their bytes with <see cref="Utf8JsonReader"/>: label names are interned and values
/// handed over as UTF-8 (unescaped into the JSON reader's scratch buffers only when they carry escapes), so a steady stream allocates
/// nothing per label; the line is the one string an entry needs.
/// </summary>
public sealed partial class LogParser
{
    private void ReadLokiLine(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                _builder.Fail(ParseErrorTypes.InvalidJson, $"expected a JSON object, found {KindOf(reader.TokenType)}");
                return;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("ts"u8))
                {
                    reader.Read();
                    SetUnixNanoseconds(ValueOf(ref reader, line));
                }
                else if (reader.ValueTextEquals("line"u8))
                {
                    reader.Read();
                    _builder.Message = reader.TokenType == JsonTokenType.String ? reader.GetString() : Encoding.UTF8.GetString(ValueOf(ref reader, line));
                }
                else if (reader.ValueTextEquals("labels"u8) || reader.ValueTextEquals("metadata"u8))
                {
                    reader.Read();
                    ReadLokiLabels(ref reader, line);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException e)
        {
            _builder.Fail(ParseErrorTypes.InvalidJson, e.Message);
            return;
        }

        if (!line[(int)reader.BytesConsumed..].Trim(Whitespace).IsEmpty)
        {
            _builder.Fail(ParseErrorTypes.InvalidJson, $"unexpected content after the JSON object at byte {reader.BytesConsumed}");
            return;
        }

        ReadShippedLine();
    }

    /// <summary>The labels (or metadata) object the reader is on; anything else is passed over.</summary>
    private void ReadLokiLabels(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = Unescaped(ref reader, ref _keyScratch);
            reader.Read();
            SetLokiLabel(name, ValueOf(ref reader, line));
        }
    }

    private void SetLokiLabel(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        var kind = name.SequenceEqual("detected_level"u8) ? FieldKind.Level
            : (name.SequenceEqual("service_name"u8) || name.SequenceEqual("job"u8)) && _builder.Service is null ? FieldKind.Service
            : (name.SequenceEqual("instance"u8) || name.SequenceEqual("node"u8)) && _builder.Server is null ? FieldKind.Server
            : FieldNames.Lookup(name);
        if (kind is FieldKind.Timestamp or FieldKind.Message)
        {
            kind = FieldKind.Extra;
        }

        _builder.Set(kind, _builder.Keyword(name), value);
    }

    /// <summary>The value the reader is on as UTF-8: a string unescaped, an object or array as written, anything else as written.</summary>
    private ReadOnlySpan<byte> ValueOf(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return Unescaped(ref reader, ref _valueScratch);
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                return line[start..(int)reader.BytesConsumed];
            default:
                return reader.ValueSpan;
        }
    }

    /// <summary>How <see cref="JsonValueKind"/> names the value a token starts.</summary>
    private static string KindOf(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => nameof(JsonValueKind.Array),
        JsonTokenType.String => nameof(JsonValueKind.String),
        JsonTokenType.Number => nameof(JsonValueKind.Number),
        JsonTokenType.True => nameof(JsonValueKind.True),
        JsonTokenType.False => nameof(JsonValueKind.False),
        _ => nameof(JsonValueKind.Null),
    };
}

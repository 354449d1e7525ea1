using System.Text.Json;
using System.Text.Unicode;

namespace Parser.Worker.Parsing;

public sealed partial class LogParser
{
    private byte[] _keyScratch = new byte[256];
    private byte[] _valueScratch = new byte[1024];

    /// <summary>A JSON array of objects (each element one record), a single object (record 0), or else JSON lines.</summary>
    private void ParseJson(ReadOnlySpan<byte> payload, bool validUtf8)
    {
        var json = payload.TrimStart(Whitespace);
        if (json.IsEmpty)
        {
            return;
        }

        if (json[0] != '[')
        {
            if (IsSingleJsonValue(json))
            {
                var record = json.TrimEnd(Whitespace);
                _builder.Reset();
                if (validUtf8)
                {
                    ReadJsonObject(record);
                }
                else
                {
                    FailInvalidUtf8();
                }

                Emit(record, 0);
            }
            else
            {
                ParseLines(payload, LineFormat.Json, validUtf8);
            }

            return;
        }

        var pos = 1;
        var index = 0;
        while (true)
        {
            pos += LeadingWhitespace(json[pos..]);
            if (pos >= json.Length || json[pos] == ']')
            {
                return;
            }

            var rest = json[pos..];
            int length;
            _builder.Reset();
            if (validUtf8)
            {
                length = ReadJsonObject(rest);
                if (length <= 0)
                {
                    length = ElementLength(rest);
                }
            }
            else
            {
                length = ElementLength(rest);
                if (Utf8.IsValid(rest[..length]))
                {
                    ReadJsonObject(rest[..length]);
                }
                else
                {
                    FailInvalidUtf8();
                }
            }

            Emit(rest[..length], index++);
            pos += length;
            pos += LeadingWhitespace(json[pos..]);
            if (pos < json.Length && json[pos] == ',')
            {
                pos++;
            }
        }
    }

    /// <summary>One JSON object filling the whole line.</summary>
    private void ReadJsonLine(ReadOnlySpan<byte> line)
    {
        var length = ReadJsonObject(line);
        if (length > 0 && !line[length..].Trim(Whitespace).IsEmpty)
        {
            _builder.Fail(ParseErrorTypes.InvalidJson, $"unexpected content after the JSON object at byte {length}");
        }
    }

    /// <summary>
    /// Reads the JSON value at the start of <paramref name="json"/> into the builder as one record.
    /// Returns the bytes it spans, or -1 when the JSON is malformed (the builder then holds the failure).
    /// </summary>
    private int ReadJsonObject(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read())
            {
                _builder.Fail(ParseErrorTypes.InvalidJson, "empty JSON record");
                return -1;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                _builder.Fail(ParseErrorTypes.InvalidJson, $"expected a JSON object, found {reader.TokenType}");
                reader.Skip();
                return (int)reader.BytesConsumed;
            }

            ReadProperties(ref reader, json);
            return (int)reader.BytesConsumed;
        }
        catch (JsonException e)
        {
            _builder.Fail(ParseErrorTypes.InvalidJson, e.Message);
            return -1;
        }
    }

    /// <summary>Reads the properties of the object the reader stands on, up to its end.</summary>
    private void ReadProperties(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = Unescaped(ref reader, ref _keyScratch);
            var kind = FieldNames.Lookup(key);
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    _builder.Set(kind, key, Unescaped(ref reader, ref _valueScratch));
                    break;
                case JsonTokenType.Number:
                    _builder.Set(kind, key, reader.ValueSpan);
                    break;
                case JsonTokenType.True:
                    _builder.Set(kind, key, "true"u8);
                    break;
                case JsonTokenType.False:
                    _builder.Set(kind, key, "false"u8);
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    _builder.Set(kind, key, json[start..(int)reader.BytesConsumed]);
                    break;
                default:
                    // null: the field is absent.
                    break;
            }
        }
    }

    /// <summary>The unescaped UTF-8 of the current string token: the input itself unless it holds escapes.</summary>
    private static ReadOnlySpan<byte> Unescaped(ref Utf8JsonReader reader, ref byte[] scratch)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }

        if (scratch.Length < reader.ValueSpan.Length)
        {
            scratch = new byte[reader.ValueSpan.Length * 2];
        }

        var written = reader.CopyString(scratch);
        return scratch.AsSpan(0, written);
    }

    /// <summary>True when the payload holds exactly one JSON value (a single, possibly multi-line, object).</summary>
    private static bool IsSingleJsonValue(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            reader.Read();
            reader.Skip();
            return json[(int)reader.BytesConsumed..].Trim(Whitespace).IsEmpty;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// The length of the (possibly malformed) array element at the start of <paramref name="json"/>: up to its matching
    /// close bracket, or up to the next ',' or ']' outside strings and brackets; the rest when neither comes.
    /// </summary>
    private static int ElementLength(ReadOnlySpan<byte> json)
    {
        var depth = 0;
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var b = json[i];
            if (inString)
            {
                if (b == '\\')
                {
                    i++;
                }
                else if (b == '"')
                {
                    inString = false;
                }

                continue;
            }

            switch (b)
            {
                case (byte)'"':
                    inString = true;
                    break;
                case (byte)'{' or (byte)'[':
                    depth++;
                    break;
                case (byte)'}' or (byte)']':
                    if (depth == 0)
                    {
                        return Math.Max(i, 1);
                    }

                    if (--depth == 0)
                    {
                        return i + 1;
                    }

                    break;
                case (byte)',' when depth == 0:
                    return Math.Max(i, 1);
            }
        }

        return json.Length;
    }

    private static int LeadingWhitespace(ReadOnlySpan<byte> span) => span.Length - span.TrimStart(Whitespace).Length;
}

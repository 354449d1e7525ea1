using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace Parser.Worker.Parsing;

public sealed partial class LogParser
{
    private readonly PropertyNameCache _propertyNames = new();
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
        var flatLength = ReadFlatJsonObject(json);
        if (flatLength > 0)
        {
            return flatLength;
        }

        _builder.Reset();
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
        var position = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var kind = _propertyNames.Resolve(position++, Unescaped(ref reader, ref _keyScratch), _builder, out var key);
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

    /// <summary>
    /// The fast path for the usual record: one flat object whose values are strings without escapes, numbers,
    /// true, false or null, read straight from the bytes. Returns the bytes it spans, or -1 as soon as the record
    /// is anything else (escapes, nested values, malformed JSON); the caller then resets the builder and reads the
    /// record with <see cref="Utf8JsonReader"/>, which also words the errors. Everything it accepts is valid JSON
    /// and yields the same values the reader would.
    /// </summary>
    private int ReadFlatJsonObject(ReadOnlySpan<byte> json)
    {
        var pos = SkipJsonWhitespace(json, 0);
        if (pos >= json.Length || json[pos] != '{')
        {
            return -1;
        }

        pos = SkipJsonWhitespace(json, pos + 1);
        if (pos < json.Length && json[pos] == '}')
        {
            return pos + 1;
        }

        var position = 0;
        while (true)
        {
            var keyLength = PlainStringLength(json, pos);
            if (keyLength < 0)
            {
                return -1;
            }

            var kind = _propertyNames.Resolve(position++, json.Slice(pos + 1, keyLength), _builder, out var key);
            pos = SkipJsonWhitespace(json, pos + keyLength + 2);
            if (pos >= json.Length || json[pos] != ':')
            {
                return -1;
            }

            pos = SkipJsonWhitespace(json, pos + 1);
            if (pos >= json.Length)
            {
                return -1;
            }

            switch (json[pos])
            {
                case (byte)'"':
                    var valueLength = PlainStringLength(json, pos);
                    if (valueLength < 0)
                    {
                        return -1;
                    }

                    _builder.Set(kind, key, json.Slice(pos + 1, valueLength));
                    pos += valueLength + 2;
                    break;
                case (byte)'t' when json[pos..].StartsWith("true"u8):
                    _builder.Set(kind, key, "true"u8);
                    pos += 4;
                    break;
                case (byte)'f' when json[pos..].StartsWith("false"u8):
                    _builder.Set(kind, key, "false"u8);
                    pos += 5;
                    break;
                case (byte)'n' when json[pos..].StartsWith("null"u8):
                    // null: the field is absent.
                    pos += 4;
                    break;
                default:
                    var numberLength = JsonNumberLength(json[pos..]);
                    if (numberLength <= 0)
                    {
                        return -1;
                    }

                    _builder.Set(kind, key, json.Slice(pos, numberLength));
                    pos += numberLength;
                    break;
            }

            pos = SkipJsonWhitespace(json, pos);
            if (pos >= json.Length)
            {
                return -1;
            }

            if (json[pos] == '}')
            {
                return pos + 1;
            }

            if (json[pos] != ',')
            {
                return -1;
            }

            pos = SkipJsonWhitespace(json, pos + 1);
        }
    }

    /// <summary>
    /// The content length of the string starting with the quote at <paramref name="pos"/>, or -1 when there is no
    /// string there or it holds an escape or a control character (left to the reader).
    /// </summary>
    private static int PlainStringLength(ReadOnlySpan<byte> json, int pos)
    {
        if (pos >= json.Length || json[pos] != '"')
        {
            return -1;
        }

        var content = json[(pos + 1)..];
        var end = content.IndexOfAny(StringSpecialBytes);
        return end >= 0 && content[end] == '"' ? end : -1;
    }

    /// <summary>The length of the JSON number (RFC 8259 grammar) at the start of <paramref name="s"/>, or 0 when there is none.</summary>
    private static int JsonNumberLength(ReadOnlySpan<byte> s)
    {
        var pos = s.Length > 0 && s[0] == '-' ? 1 : 0;
        if (pos >= s.Length || !Timestamps.IsDigit(s[pos]))
        {
            return 0;
        }

        pos = s[pos] == '0' ? pos + 1 : SkipDigits(s, pos);
        if (pos < s.Length && s[pos] == '.')
        {
            var fraction = SkipDigits(s, pos + 1);
            if (fraction == pos + 1)
            {
                return 0;
            }

            pos = fraction;
        }

        if (pos < s.Length && s[pos] is (byte)'e' or (byte)'E')
        {
            pos++;
            if (pos < s.Length && s[pos] is (byte)'+' or (byte)'-')
            {
                pos++;
            }

            var exponent = SkipDigits(s, pos);
            if (exponent == pos)
            {
                return 0;
            }

            pos = exponent;
        }

        return pos;
    }

    private static int SkipDigits(ReadOnlySpan<byte> s, int pos)
    {
        while (pos < s.Length && Timestamps.IsDigit(s[pos]))
        {
            pos++;
        }

        return pos;
    }

    private static int SkipJsonWhitespace(ReadOnlySpan<byte> json, int pos)
    {
        while (pos < json.Length && json[pos] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            pos++;
        }

        return pos;
    }

    /// <summary>The bytes that end the plain part of a JSON string: the closing quote, an escape, control characters.</summary>
    private static readonly SearchValues<byte> StringSpecialBytes = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F"u8);

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

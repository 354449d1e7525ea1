using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Snappier;

namespace Ingest.Gateway.Wire;

/// <summary>
/// A Loki push request (<c>PushRequest</c>: snappy-compressed protobuf, or JSON) as the lines of raw format <c>loki</c>:
/// one JSON object per entry — <c>ts</c> (Unix nanoseconds, a string), <c>line</c>, <c>labels</c> (its stream's labels)
/// and <c>metadata</c> (the entry's structured metadata), the last two as JSON objects of strings.
/// </summary>
internal sealed class LokiPush
{
    private readonly ArrayBufferWriter<byte> _lines = new();
    private readonly Utf8JsonWriter _json;

    private LokiPush() => _json = new Utf8JsonWriter(_lines);

    public ReadOnlyMemory<byte> Lines => _lines.WrittenMemory;

    public int Entries { get; private set; }

    /// <summary>Reads a snappy-compressed (block format) protobuf push, inflating at most <paramref name="maxInflated"/> bytes.</summary>
    /// <exception cref="InvalidDataException">The body is not one: the reason.</exception>
    /// <exception cref="RecordTooLargeException">It inflates to more than <paramref name="maxInflated"/> bytes.</exception>
    public static LokiPush FromSnappyProtobuf(ReadOnlySpan<byte> body, long maxInflated)
    {
        int length;
        byte[] inflated;
        try
        {
            length = Snappy.GetUncompressedLength(body);
            inflated = length <= maxInflated ? Snappy.DecompressToArray(body) : [];
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidDataException($"The body is not snappy-compressed (block format) protobuf, as Loki's push takes it: {ex.Message}", ex);
        }

        if (length > maxInflated)
        {
            throw new RecordTooLargeException($"The push inflates to {length} bytes, more than the limit of {maxInflated} bytes (SaasMonitor:Ingest:MaxDecompressedBytes).");
        }

        var push = new LokiPush();
        try
        {
            var request = new ProtoReader(inflated);
            while (request.Next() is var field and > 0)
            {
                if (field == 1 && request.WireType == ProtoReader.LengthDelimited)
                {
                    push.ReadProtoStream(request.ReadBytes());
                }
                else
                {
                    request.Skip();
                }
            }
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"The protobuf message holds a string that is not valid UTF-8: {ex.Message}", ex);
        }

        return push;
    }

    /// <exception cref="InvalidDataException">The body is not a JSON push: the reason.</exception>
    public static LokiPush FromJson(ReadOnlySpan<byte> body)
    {
        var push = new LokiPush();
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (!document.RootElement.TryGetProperty("streams", out var streams) || streams.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidDataException("The body must be a Loki push: an object with a 'streams' array.");
            }

            foreach (var stream in streams.EnumerateArray())
            {
                var labels = stream.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.Object ? Encoding.UTF8.GetBytes(s.GetRawText()) : "{}"u8.ToArray();
                foreach (var value in stream.GetProperty("values").EnumerateArray())
                {
                    if (value.GetArrayLength() < 2)
                    {
                        throw new InvalidDataException("Each value of a stream must be [\"<unix nanoseconds>\", \"<line>\"], optionally with structured metadata.");
                    }

                    var metadata = value.GetArrayLength() > 2 && value[2].ValueKind == JsonValueKind.Object
                        ? value[2].EnumerateObject().Select(m => KeyValuePair.Create(m.Name, m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText()))
                        : [];
                    push.WriteEntry(Nanoseconds(value[0]), value[1].GetString() ?? "", labels, metadata);
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new InvalidDataException($"The body is not a Loki JSON push: {ex.Message}", ex);
        }

        return push;
    }

    private void ReadProtoStream(ReadOnlySpan<byte> stream)
    {
        byte[] labels = "{}"u8.ToArray();
        var fields = new ProtoReader(stream);
        while (fields.Next() is var field and > 0)
        {
            if (field == 1 && fields.WireType == ProtoReader.LengthDelimited)
            {
                labels = LabelsAsJson(Encoding.UTF8.GetString(fields.ReadBytes()));
            }
            else
            {
                fields.Skip();
            }
        }

        fields = new ProtoReader(stream);
        while (fields.Next() is var field and > 0)
        {
            if (field == 2 && fields.WireType == ProtoReader.LengthDelimited)
            {
                ReadProtoEntry(fields.ReadBytes(), labels);
            }
            else
            {
                fields.Skip();
            }
        }
    }

    private void ReadProtoEntry(ReadOnlySpan<byte> entry, byte[] labels)
    {
        long seconds = 0;
        long nanos = 0;
        var line = "";
        var metadata = new List<KeyValuePair<string, string>>();
        var fields = new ProtoReader(entry);
        while (fields.Next() is var field and > 0)
        {
            switch (field, fields.WireType)
            {
                case (1, ProtoReader.LengthDelimited):
                    var timestamp = new ProtoReader(fields.ReadBytes());
                    while (timestamp.Next() is var part and > 0)
                    {
                        if (part is 1 or 2 && timestamp.WireType == ProtoReader.Varint)
                        {
                            var value = (long)timestamp.ReadVarint();
                            (seconds, nanos) = part == 1 ? (value, nanos) : (seconds, value);
                        }
                        else
                        {
                            timestamp.Skip();
                        }
                    }

                    break;
                case (2, ProtoReader.LengthDelimited):
                    line = Encoding.UTF8.GetString(fields.ReadBytes());
                    break;
                case (3, ProtoReader.LengthDelimited):
                    metadata.Add(LabelPair(fields.ReadBytes()));
                    break;
                default:
                    fields.Skip();
                    break;
            }
        }

        WriteEntry(((seconds * 1_000_000_000) + nanos).ToString(CultureInfo.InvariantCulture), line, labels, metadata);
    }

    private void WriteEntry(string nanoseconds, string line, byte[] labels, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        _json.WriteStartObject();
        _json.WriteString("ts", nanoseconds);
        _json.WriteString("line", line);
        _json.WritePropertyName("labels");
        _json.WriteRawValue(labels, skipInputValidation: true);
        _json.WriteStartObject("metadata");
        foreach (var (name, value) in metadata)
        {
            _json.WriteString(name, value);
        }

        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.Flush();
        _json.Reset();
        _lines.Write("\n"u8);
        Entries++;
    }

    private static KeyValuePair<string, string> LabelPair(ReadOnlySpan<byte> pair)
    {
        string name = "", value = "";
        var fields = new ProtoReader(pair);
        while (fields.Next() is var field and > 0)
        {
            if (field is 1 or 2 && fields.WireType == ProtoReader.LengthDelimited)
            {
                var text = Encoding.UTF8.GetString(fields.ReadBytes());
                (name, value) = field == 1 ? (text, value) : (name, text);
            }
            else
            {
                fields.Skip();
            }
        }

        return new(name, value);
    }

    /// <summary>A stream's labels in Prometheus' syntax (<c>{app="shop", env="prod"}</c>, values escaped as Go strings) as a JSON object.</summary>
    internal static byte[] LabelsAsJson(string labels)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            var i = labels.IndexOf('{', StringComparison.Ordinal) + 1;
            while (i > 0 && i < labels.Length)
            {
                var equals = labels.IndexOf('=', i);
                if (equals < 0)
                {
                    break;
                }

                var name = labels[i..equals].Trim(' ', ',', '\t');
                var (value, end) = QuotedValue(labels, equals + 1);
                json.WriteString(name, value);
                i = end;
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static (string Value, int End) QuotedValue(string labels, int start)
    {
        var open = labels.IndexOf('"', start);
        if (open < 0)
        {
            throw new InvalidDataException($"The stream labels '{labels}' are not in Prometheus' syntax: a label value must be quoted.");
        }

        var value = new StringBuilder();
        for (var i = open + 1; i < labels.Length; i++)
        {
            switch (labels[i])
            {
                case '\\' when i + 1 < labels.Length:
                    i++;
                    value.Append(labels[i] switch { 'n' => '\n', 't' => '\t', var c => c });
                    break;
                case '"':
                    return (value.ToString(), i + 1);
                default:
                    value.Append(labels[i]);
                    break;
            }
        }

        throw new InvalidDataException($"The stream labels '{labels}' are not in Prometheus' syntax: a quote is not closed.");
    }

    /// <summary>Unix nanoseconds as Loki's JSON writes them: a decimal string (a number is taken too).</summary>
    private static string Nanoseconds(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && ulong.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out _) ? value.GetString()!
        : value.ValueKind == JsonValueKind.Number ? value.GetRawText()
        : throw new InvalidDataException($"An entry's timestamp must be Unix nanoseconds as a string; got {value.GetRawText()}.");
}

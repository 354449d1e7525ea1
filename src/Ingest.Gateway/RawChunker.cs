using SaasMonitor.Core.Events;

namespace Ingest.Gateway;

/// <summary>A raw record ready for the bus: whole log records only, and how many.</summary>
internal readonly record struct RawChunk(byte[] Payload, RawFormat Format, int Records);

/// <summary>
/// Cuts a stream of log data into raw records of at most <c>chunkBytes</c>, always at record boundaries:
/// lines for line formats; rows (quotes respected) with the header repeated in every chunk for CSV;
/// one element per line for JSON arrays and object streams (pretty-printed objects are folded onto one line).
/// A chunk holds as many whole records as fit, so the cuts do not depend on how the bytes arrive.
/// Throws <see cref="InvalidDataException"/> with the reason for input that cannot be cut safely, and
/// <see cref="RecordTooLargeException"/> for a record that does not fit in a chunk on its own.
/// </summary>
internal sealed class RawChunker
{
    private const int MaxHeaderBytes = 64 * 1024;
    private const int Slice = 64 * 1024;

    private readonly RawFormat _format;
    private readonly int _chunkBytes;
    private readonly byte[] _buf;
    private byte[] _header = [];
    private int _len;
    private int _chunkStart;
    private int _boundary;
    private int _chunkRecords;
    private bool _recordHasText;

    // CSV state
    private bool _inQuotes;
    private bool _headerDone;

    // JSON state
    private JsonState _json = JsonState.BeforeFirst;
    private int _depth;
    private bool _inString;
    private bool _escape;
    private JsonState _afterElement;

    public RawChunker(RawFormat format, int chunkBytes)
    {
        _format = format;
        _chunkBytes = chunkBytes;

        // Held at most: the records of the open chunk, one unfinished record (or CSV header) and one slice.
        _buf = new byte[(2 * chunkBytes) + MaxHeaderBytes + Slice];
    }

    private enum JsonState
    {
        BeforeFirst,
        ArrayExpectElement,
        ArrayAfterElement,
        AfterArray,
        Stream,
        InElement,
    }

    /// <summary>Records cut so far (non-blank lines, CSV data rows, JSON elements).</summary>
    public long Records { get; private set; }

    public long Bytes { get; private set; }

    private RawFormat ChunkFormat => _format == RawFormat.Json ? RawFormat.JsonLines : _format;

    public void Write(ReadOnlySpan<byte> data, List<RawChunk> output)
    {
        Bytes += data.Length;
        while (!data.IsEmpty)
        {
            var slice = data[..Math.Min(Slice, data.Length)];
            data = data[slice.Length..];
            if (_format == RawFormat.Json)
            {
                WriteJson(slice, output);
            }
            else
            {
                var scanFrom = _len;
                slice.CopyTo(_buf.AsSpan(_len));
                _len += slice.Length;
                ScanRecords(scanFrom, output);
                CheckUnfinishedRecord();
            }

            Compact();
        }
    }

    /// <summary>Ends the input: the last record need not end with a newline.</summary>
    public void Complete(List<RawChunk> output)
    {
        if (_format == RawFormat.Json)
        {
            if (_json is JsonState.InElement or JsonState.ArrayExpectElement or JsonState.ArrayAfterElement)
            {
                throw new InvalidDataException("The JSON ended before its last object or array was closed.");
            }
        }
        else if (_len > _boundary)
        {
            if (_inQuotes)
            {
                throw new InvalidDataException("The CSV ended inside a quoted field (a quote is not closed).");
            }

            EndRecord(_len, output);
        }

        if (_chunkRecords > 0)
        {
            Emit(output);
        }
    }

    private void ScanRecords(int from, List<RawChunk> output)
    {
        var csv = _format == RawFormat.Csv;
        for (var i = from; i < _len; i++)
        {
            var b = _buf[i];
            if (csv && b == (byte)'"')
            {
                _inQuotes = !_inQuotes;
            }

            if (b == (byte)'\n' && !_inQuotes)
            {
                EndRecord(i + 1, output);
            }
            else if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                _recordHasText = true;
            }
        }
    }

    /// <summary>Refuses a record as soon as it is known not to fit, so the buffer stays bounded.</summary>
    private void CheckUnfinishedRecord()
    {
        var unfinished = _len - _boundary;
        if (_format == RawFormat.Csv && !_headerDone)
        {
            if (unfinished > MaxHeaderBytes)
            {
                throw new InvalidDataException($"The CSV header is longer than {MaxHeaderBytes} bytes.");
            }
        }
        else if (_header.Length + unfinished > _chunkBytes)
        {
            throw new RecordTooLargeException(_chunkBytes);
        }
    }

    /// <summary>A record ends at <paramref name="end"/>: the open chunk is emitted first if the record does not fit in it.</summary>
    private void EndRecord(int end, List<RawChunk> output)
    {
        if (_format == RawFormat.Csv && !_headerDone)
        {
            // Blank lines before the header are dropped.
            if (_recordHasText)
            {
                if (end - _boundary > MaxHeaderBytes)
                {
                    throw new InvalidDataException($"The CSV header is longer than {MaxHeaderBytes} bytes.");
                }

                _header = _buf.AsSpan(_boundary, end - _boundary).ToArray();
                _headerDone = true;
            }

            _chunkStart = _boundary = end;
            _recordHasText = false;
            return;
        }

        if (_header.Length + (end - _boundary) > _chunkBytes)
        {
            throw new RecordTooLargeException(_chunkBytes);
        }

        if (_chunkRecords > 0 && _header.Length + (end - _chunkStart) > _chunkBytes)
        {
            Emit(output);
        }

        if (_recordHasText)
        {
            _chunkRecords++;
            Records++;
        }
        else if (_chunkRecords == 0)
        {
            // Blank lines do not start a chunk.
            _chunkStart = end;
        }

        _boundary = end;
        _recordHasText = false;
    }

    private void Emit(List<RawChunk> output)
    {
        var payload = new byte[_header.Length + (_boundary - _chunkStart)];
        _header.CopyTo(payload, 0);
        Buffer.BlockCopy(_buf, _chunkStart, payload, _header.Length, _boundary - _chunkStart);
        output.Add(new RawChunk(payload, ChunkFormat, _chunkRecords));
        _chunkStart = _boundary;
        _chunkRecords = 0;
    }

    /// <summary>Moves what is not yet emitted to the front of the buffer (after an emit, so it moves little).</summary>
    private void Compact()
    {
        if (_chunkStart == 0)
        {
            return;
        }

        Buffer.BlockCopy(_buf, _chunkStart, _buf, 0, _len - _chunkStart);
        _len -= _chunkStart;
        _boundary -= _chunkStart;
        _chunkStart = 0;
    }

    private void WriteJson(ReadOnlySpan<byte> data, List<RawChunk> output)
    {
        foreach (var b in data)
        {
            if (_json == JsonState.InElement)
            {
                AppendJsonByte(b, output);
                continue;
            }

            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                continue;
            }

            switch (_json)
            {
                case JsonState.BeforeFirst when b == (byte)'[':
                    _json = JsonState.ArrayExpectElement;
                    break;
                case JsonState.BeforeFirst or JsonState.Stream when b == (byte)'{':
                    BeginElement(b, JsonState.Stream, output);
                    break;
                case JsonState.ArrayExpectElement when b == (byte)'{':
                    BeginElement(b, JsonState.ArrayAfterElement, output);
                    break;
                case JsonState.ArrayExpectElement when b == (byte)']' && Records == 0:
                case JsonState.ArrayAfterElement when b == (byte)']':
                    _json = JsonState.AfterArray;
                    break;
                case JsonState.ArrayAfterElement when b == (byte)',':
                    _json = JsonState.ArrayExpectElement;
                    break;
                default:
                    throw new InvalidDataException(JsonError(b));
            }
        }
    }

    private void BeginElement(byte b, JsonState after, List<RawChunk> output)
    {
        _afterElement = after;
        _json = JsonState.InElement;
        _depth = 0;
        AppendJsonByte(b, output);
    }

    private void AppendJsonByte(byte b, List<RawChunk> output)
    {
        if (_len - _boundary >= _chunkBytes)
        {
            throw new RecordTooLargeException(_chunkBytes);
        }

        _buf[_len++] = b is (byte)'\n' or (byte)'\r' ? (byte)' ' : b;
        if (_inString)
        {
            if (_escape)
            {
                _escape = false;
            }
            else if (b == (byte)'\\')
            {
                _escape = true;
            }
            else if (b == (byte)'"')
            {
                _inString = false;
            }

            return;
        }

        switch (b)
        {
            case (byte)'"':
                _inString = true;
                break;
            case (byte)'{' or (byte)'[':
                _depth++;
                break;
            case (byte)'}' or (byte)']':
                if (--_depth == 0)
                {
                    _buf[_len++] = (byte)'\n';
                    _recordHasText = true;
                    EndRecord(_len, output);
                    _json = _afterElement;
                }

                break;
        }
    }

    private string JsonError(byte b) => _json switch
    {
        JsonState.BeforeFirst => "The body must be a JSON object, a JSON array of objects, or JSON lines.",
        JsonState.AfterArray => "Unexpected data after the end of the JSON array.",
        JsonState.ArrayAfterElement => $"Expected ',' or ']' after element {Records} of the JSON array, found '{(char)b}'.",
        _ => $"Element {Records} of the JSON input is not an object (found '{(char)b}').",
    };
}

/// <summary>One log record is larger than a raw record may be, or a body once inflated larger than allowed (answered with 413).</summary>
internal sealed class RecordTooLargeException(string message) : Exception(message)
{
    public RecordTooLargeException(int limit)
        : this($"A single log record is larger than the limit of {limit} bytes (SaasMonitor:Ingest:ChunkBytes).")
    {
    }
}

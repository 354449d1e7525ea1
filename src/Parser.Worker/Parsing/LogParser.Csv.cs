using System.Text.Unicode;

namespace Parser.Worker.Parsing;

public sealed partial class LogParser
{
    private readonly Csv _csv = new();
    private FieldKind[] _columnKinds = [];
    private string[] _columnNames = [];
    private int _columnCount;

    /// <summary>A header line, then one record per data row (RFC 4180 quoting; rows may span lines inside quotes).</summary>
    private void ParseCsv(ReadOnlySpan<byte> payload, bool validUtf8)
    {
        var pos = LeadingWhitespace(payload);
        if (pos >= payload.Length)
        {
            return;
        }

        var headerStart = pos;
        var header = _csv.ReadRow(payload, ref pos);
        if (header.Error is not null)
        {
            _builder.Reset();
            _builder.Fail(ParseErrorTypes.InvalidCsv, $"header: {header.Error}");
            Emit(payload[headerStart..header.End], 0);
            return;
        }

        ReadColumns(payload);
        var index = 0;
        while (pos < payload.Length)
        {
            var rowStart = pos;
            var row = _csv.ReadRow(payload, ref pos);
            var text = payload[rowStart..row.End];
            if (!text.Trim(Whitespace).IsEmpty)
            {
                ParseCsvRow(payload, text, row.Error, validUtf8);
                Emit(text, index);
            }

            index++;
        }
    }

    private void ReadColumns(ReadOnlySpan<byte> payload)
    {
        var count = _csv.FieldCount;
        if (_columnKinds.Length < count)
        {
            _columnKinds = new FieldKind[count];
            _columnNames = new string[count];
        }

        for (var i = 0; i < count; i++)
        {
            var name = _csv.Field(payload, i).Trim(" \t"u8);
            _columnNames[i] = _builder.Keyword(name);
            _columnKinds[i] = FieldNames.Lookup(name);
        }

        _columnCount = count;
    }

    private void ParseCsvRow(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> row, string? error, bool validUtf8)
    {
        _builder.Reset();
        if (!validUtf8 && !Utf8.IsValid(row))
        {
            FailInvalidUtf8();
        }
        else if (error is not null)
        {
            _builder.Fail(ParseErrorTypes.InvalidCsv, error);
        }
        else if (_csv.FieldCount != _columnCount)
        {
            _builder.Fail(ParseErrorTypes.CsvColumnCount, $"the row has {_csv.FieldCount} fields, the header has {_columnCount}");
        }
        else
        {
            for (var i = 0; i < _columnCount; i++)
            {
                _builder.Set(_columnKinds[i], _columnNames[i], _csv.Field(payload, i));
            }
        }
    }
}

/// <summary>Span-based RFC 4180 row reader: quoted fields, doubled quotes, line breaks inside quotes, CRLF or LF.</summary>
internal sealed class Csv
{
    private const int LongestHeaderName = 64;
    private const int KnownColumnsForHeader = 2;

    private FieldRange[] _fields = new FieldRange[32];
    private byte[] _scratch = new byte[1024];

    /// <summary>Fields of the row last read.</summary>
    public int FieldCount { get; private set; }

    /// <summary>
    /// Reads the row starting at <paramref name="pos"/> and moves past its line break. The result's End is where the
    /// row text ends (line break excluded); Error is set when the row's quoting is broken.
    /// </summary>
    public RowResult ReadRow(ReadOnlySpan<byte> payload, ref int pos)
    {
        FieldCount = 0;
        var p = pos;
        while (true)
        {
            if (p < payload.Length && payload[p] == '"')
            {
                var close = ClosingQuote(payload, p + 1, out var doubled);
                if (close < 0)
                {
                    pos = payload.Length;
                    return new RowResult(TrimCr(payload, payload.Length), "a quoted field is not closed");
                }

                Add(new FieldRange(p + 1, close - p - 1, doubled));
                p = close + 1;
                while (p < payload.Length && payload[p] is (byte)' ' or (byte)'\t')
                {
                    p++;
                }

                if (p >= payload.Length)
                {
                    pos = p;
                    return new RowResult(p, null);
                }

                if (payload[p] == ',')
                {
                    p++;
                    continue;
                }

                if (payload[p] == '\n' || payload[p] == '\r' && (p + 1 == payload.Length || payload[p + 1] == '\n'))
                {
                    pos = Math.Min(payload[p] == '\n' ? p + 1 : p + 2, payload.Length);
                    return new RowResult(p, null);
                }

                var lineEnd = payload[p..].IndexOf((byte)'\n');
                pos = lineEnd < 0 ? payload.Length : p + lineEnd + 1;
                return new RowResult(TrimCr(payload, lineEnd < 0 ? payload.Length : p + lineEnd), "unexpected character after a closing quote");
            }

            var delimiter = payload[p..].IndexOfAny((byte)',', (byte)'\n');
            var end = delimiter < 0 ? payload.Length : p + delimiter;
            if (delimiter >= 0 && payload[end] == ',')
            {
                Add(new FieldRange(p, end - p, false));
                p = end + 1;
                continue;
            }

            var rowEnd = TrimCr(payload, end);
            Add(new FieldRange(p, Math.Max(rowEnd - p, 0), false));
            pos = delimiter < 0 ? payload.Length : end + 1;
            return new RowResult(rowEnd, null);
        }
    }

    /// <summary>The value of field <paramref name="i"/> of the row last read: quotes removed, doubled quotes undone.</summary>
    public ReadOnlySpan<byte> Field(ReadOnlySpan<byte> payload, int i)
    {
        var field = _fields[i];
        var value = payload.Slice(field.Start, field.Length);
        if (!field.HasDoubledQuotes)
        {
            return value;
        }

        if (_scratch.Length < value.Length)
        {
            _scratch = new byte[value.Length * 2];
        }

        var written = 0;
        for (var j = 0; j < value.Length; j++)
        {
            _scratch[written++] = value[j];
            if (value[j] == '"')
            {
                j++;
            }
        }

        return _scratch.AsSpan(0, written);
    }

    /// <summary>
    /// True when <paramref name="line"/> reads as a CSV header: at least two comma-separated names, all of them
    /// identifier-like, at least two naming known fields.
    /// </summary>
    public static bool LooksLikeHeader(ReadOnlySpan<byte> line)
    {
        var names = 0;
        var known = 0;
        foreach (var range in line.TrimEnd("\r"u8).Split((byte)','))
        {
            var name = line[range].Trim(" \t\""u8);
            if (name.IsEmpty || name.Length > LongestHeaderName || name.ContainsAnyExcept(HeaderNameBytes))
            {
                return false;
            }

            names++;
            if (FieldNames.Lookup(name) != FieldKind.Extra)
            {
                known++;
            }
        }

        return names >= 2 && known >= KnownColumnsForHeader;
    }

    private static readonly System.Buffers.SearchValues<byte> HeaderNameBytes =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@.- "u8);

    private static int TrimCr(ReadOnlySpan<byte> payload, int end) => end > 0 && payload[end - 1] == '\r' ? end - 1 : end;

    /// <summary>Index of the quote closing a quoted field whose content starts at <paramref name="start"/>, or -1.</summary>
    private static int ClosingQuote(ReadOnlySpan<byte> payload, int start, out bool doubled)
    {
        doubled = false;
        var p = start;
        while (true)
        {
            var quote = payload[p..].IndexOf((byte)'"');
            if (quote < 0)
            {
                return -1;
            }

            p += quote;
            if (p + 1 < payload.Length && payload[p + 1] == '"')
            {
                doubled = true;
                p += 2;
                continue;
            }

            return p;
        }
    }

    private void Add(FieldRange field)
    {
        if (FieldCount == _fields.Length)
        {
            Array.Resize(ref _fields, _fields.Length * 2);
        }

        _fields[FieldCount++] = field;
    }

    private readonly record struct FieldRange(int Start, int Length, bool HasDoubledQuotes);

    internal readonly record struct RowResult(int End, string? Error);
}

using System.Text;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using SaasMonitor.Core.Events;

namespace Parser.Worker.Parsing;

/// <summary>
/// Turns the payload of a raw record (one or more log records in a <see cref="RawFormat"/>) into
/// <see cref="LogEvent"/>s, and every record it cannot parse into a <see cref="ParseFailure"/> carrying the
/// record's original bytes. A bad record never stops the others of the same payload.
/// Reusable and allocation-lean: keep one instance per worker loop (not thread-safe).
/// </summary>
public sealed partial class LogParser
{
    private readonly IReadOnlyDictionary<string, Regex> _multiLineStarts;
    private readonly IReadOnlyDictionary<string, LinePattern> _linePatterns;
    private EventBuilder _builder = new();

    // The event being joined from several lines (multi-line text): its builder, and where it sits in the payload.
    private EventBuilder _open = new();
    private OpenEvent _openEvent = OpenEvent.None;
    private bool _timestampedStream;
    private RawContext _context;
    private ICollection<LogEvent> _events = [];
    private ICollection<ParseFailure> _failures = [];
    private Regex? _multiLineStart;
    private LinePattern? _linePattern;

    /// <param name="multiLineStarts">Per source, what a line that starts a new event matches (see <see cref="TryContinue"/>).</param>
    /// <param name="linePatterns">Per source, the named pattern its text lines are read with before the general rules.</param>
    public LogParser(IReadOnlyDictionary<string, Regex>? multiLineStarts = null, IReadOnlyDictionary<string, LinePattern>? linePatterns = null)
    {
        _multiLineStarts = multiLineStarts ?? new Dictionary<string, Regex>();
        _linePatterns = linePatterns ?? new Dictionary<string, LinePattern>();
    }

    /// <summary>
    /// Parses every record of <paramref name="payload"/>, adding one event or one failure per non-blank record.
    /// Record indexes are 0-based positions in the payload: array element, line (blank lines count), or CSV data row.
    /// </summary>
    public void Parse(ReadOnlySpan<byte> payload, RawFormat format, in RawContext context, ICollection<LogEvent> events, ICollection<ParseFailure> failures)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(failures);
        if (payload.StartsWith("\uFEFF"u8))
        {
            payload = payload[3..];
        }

        _context = context;
        _multiLineStart = context.Source is { } source ? _multiLineStarts.GetValueOrDefault(source) : null;
        _linePattern = context.Source is { } named && _linePatterns.Count > 0 ? _linePatterns.GetValueOrDefault(named) : null;
        _events = events;
        _failures = failures;
        try
        {
            var validUtf8 = Utf8.IsValid(payload);
            switch (format == RawFormat.Auto ? Detect(payload) : format)
            {
                case RawFormat.Json:
                    ParseJson(payload, validUtf8);
                    break;
                case RawFormat.JsonLines:
                    ParseLines(payload, LineFormat.Json, validUtf8);
                    break;
                case RawFormat.Csv:
                    ParseCsv(payload, validUtf8);
                    break;
                case RawFormat.Apache:
                    ParseLines(payload, LineFormat.Apache, validUtf8);
                    break;
                case RawFormat.Text:
                    ParseLines(payload, LineFormat.Text, validUtf8);
                    break;
                case RawFormat.Clef:
                    ParseLines(payload, LineFormat.Clef, validUtf8);
                    break;
                case RawFormat.Gelf:
                    ParseLines(payload, LineFormat.Gelf, validUtf8);
                    break;
                case RawFormat.Ecs:
                    ParseLines(payload, LineFormat.Ecs, validUtf8);
                    break;
                case RawFormat.Otlp:
                    ParseLines(payload, LineFormat.Otlp, validUtf8);
                    break;
                case RawFormat.Loki:
                    ParseLines(payload, LineFormat.Loki, validUtf8);
                    break;
                default:
                    ParseLines(payload, LineFormat.ApacheOrText, validUtf8);
                    break;
            }
        }
        finally
        {
            _events = [];
            _failures = [];
        }
    }

    /// <summary>
    /// The format a <see cref="RawRecordHeaders.Format"/> header names: "json", "jsonl"/"ndjson", "csv",
    /// "apache"/"nginx"/"combined", "text"/"plain", "clef", "gelf", "ecs", "otlp", "loki"; null, "" or "auto" mean detect.
    /// </summary>
    /// <exception cref="ArgumentException">The name is none of these.</exception>
    public static RawFormat FormatFromName(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => RawFormat.Auto,
        "json" => RawFormat.Json,
        "jsonl" or "ndjson" or "jsonlines" => RawFormat.JsonLines,
        "csv" => RawFormat.Csv,
        "apache" or "nginx" or "combined" => RawFormat.Apache,
        "text" or "plain" => RawFormat.Text,
        "clef" => RawFormat.Clef,
        "gelf" => RawFormat.Gelf,
        "ecs" => RawFormat.Ecs,
        "otlp" => RawFormat.Otlp,
        "loki" => RawFormat.Loki,
        _ => throw new ArgumentException(
            $"Unknown raw record format '{name}'. Expected one of: auto, json, jsonl, ndjson, csv, apache, nginx, combined, text, plain, clef, gelf, ecs, otlp, loki.",
            nameof(name)),
    };

    /// <summary>
    /// What <see cref="RawFormat.Auto"/> resolves to for a payload: <see cref="RawFormat.Json"/> (array or single object),
    /// <see cref="RawFormat.JsonLines"/>, <see cref="RawFormat.Csv"/> (first line is a header naming known columns),
    /// or <see cref="RawFormat.Auto"/> meaning "per line: Apache/Nginx access log when it matches, else text".
    /// </summary>
    internal static RawFormat Detect(ReadOnlySpan<byte> payload)
    {
        var start = payload.TrimStart(Whitespace);
        if (start.IsEmpty)
        {
            return RawFormat.Auto;
        }

        if (start[0] == '{')
        {
            return IsSingleJsonValue(start) ? RawFormat.Json : RawFormat.JsonLines;
        }

        if (start[0] == '[')
        {
            var afterBracket = start[1..].TrimStart(Whitespace);
            if (afterBracket.IsEmpty || afterBracket[0] is (byte)'{' or (byte)']')
            {
                return RawFormat.Json;
            }
        }

        var newline = payload.IndexOf((byte)'\n');
        return Csv.LooksLikeHeader(newline < 0 ? payload : payload[..newline]) ? RawFormat.Csv : RawFormat.Auto;
    }

    private static ReadOnlySpan<byte> Whitespace => " \t\r\n"u8;

    private enum LineFormat
    {
        Json,
        Apache,
        Text,
        ApacheOrText,
        Clef,
        Gelf,
        Ecs,
        Otlp,
        Loki,
    }

    private void ParseLines(ReadOnlySpan<byte> payload, LineFormat format, bool validUtf8)
    {
        var joins = format is LineFormat.Text or LineFormat.ApacheOrText;
        var index = 0;
        var position = 0;
        _openEvent = OpenEvent.None;
        _timestampedStream = false;
        while (position < payload.Length)
        {
            var newline = payload[position..].IndexOf((byte)'\n');
            var lineEnd = newline < 0 ? payload.Length : position + newline;
            var line = payload[position..lineEnd];
            if (line.Length > 0 && line[^1] == '\r')
            {
                line = line[..^1];
            }

            if (!line.Trim(Whitespace).IsEmpty)
            {
                if (!joins)
                {
                    ParseLine(line, format, validUtf8);
                    Emit(_builder, line, index);
                }
                else if (!TryContinue(line, position + line.Length, format, validUtf8))
                {
                    StartEvent(payload, position, position + line.Length, index);
                }
            }

            index++;
            position = newline < 0 ? payload.Length : lineEnd + 1;
        }

        EmitOpen(payload);
    }

    /// <summary>
    /// Adds the line to the open event when it continues it (see <see cref="MultiLine"/>) and the event stays within
    /// bounds; otherwise leaves the line parsed in <see cref="_builder"/> and returns false.
    /// </summary>
    private bool TryContinue(ReadOnlySpan<byte> line, int end, LineFormat format, bool validUtf8)
    {
        var open = _openEvent;
        var fits = open.Start >= 0 && open.Lines < MultiLine.MaxLines && end - open.Start <= MultiLine.MaxBytes && _open.ErrorType is null;
        if (_multiLineStart is not null)
        {
            // The source's own rule: a line that does not match its start pattern continues the event.
            if (fits && !StartsEvent(_multiLineStart, line))
            {
                _openEvent = open with { End = end, Lines = open.Lines + 1 };
                return true;
            }

            ParseLine(line, format, validUtf8);
            return false;
        }

        if (fits && MultiLine.IsContinuation(line))
        {
            _openEvent = open with { End = end, Lines = open.Lines + 1 };
            return true;
        }

        ParseLine(line, format, validUtf8);
        if (fits && _builder.ErrorType is null && _builder.Timestamp is null && _builder.Level is null && _timestampedStream)
        {
            // In a stream whose lines carry timestamps, a line with neither a timestamp nor a level belongs to the event before it.
            _openEvent = open with { End = end, Lines = open.Lines + 1 };
            return true;
        }

        return false;
    }

    /// <summary>Whether <paramref name="line"/> matches a source's start pattern; a match that takes too long counts as one.</summary>
    private static bool StartsEvent(Regex start, ReadOnlySpan<byte> line)
    {
        try
        {
            return start.IsMatch(Encoding.UTF8.GetString(line));
        }
        catch (RegexMatchTimeoutException)
        {
            return true;
        }
    }

    /// <summary>Emits the open event and makes the line just parsed the new open one (a rejected line is emitted at once).</summary>
    private void StartEvent(ReadOnlySpan<byte> payload, int start, int end, int index)
    {
        EmitOpen(payload);
        if (_builder.ErrorType is not null)
        {
            Emit(_builder, payload[start..end], index);
            return;
        }

        (_open, _builder) = (_builder, _open);
        _openEvent = new OpenEvent(start, end, end, index, 1);
        _timestampedStream |= _open.Timestamp is not null;
    }

    private void EmitOpen(ReadOnlySpan<byte> payload)
    {
        var open = _openEvent;
        if (open.Start < 0)
        {
            return;
        }

        _openEvent = OpenEvent.None;
        var record = payload[open.Start..open.End];
        if (open.Lines > 1)
        {
            // The continuation lines follow the first line's message as they were written.
            _open.Message = string.Concat(_open.Message, "\n", Encoding.UTF8.GetString(payload[(open.FirstLineEnd + 1)..open.End].TrimEnd(Whitespace)));
        }

        Emit(_open, record.TrimEnd(Whitespace), open.Index);
    }

    /// <summary>The event being joined: its bytes in the payload, the end of its first line, its record index and line count.</summary>
    private readonly record struct OpenEvent(int Start, int End, int FirstLineEnd, int Index, int Lines)
    {
        public static OpenEvent None { get; } = new(-1, 0, 0, 0, 0);
    }

    /// <summary>The field that marks a text line whose invalid UTF-8 bytes were replaced by U+FFFD.</summary>
    public const string InvalidUtf8Field = "invalid_utf8";

    private void ParseLine(ReadOnlySpan<byte> line, LineFormat format, bool validUtf8)
    {
        _builder.Reset();
        var invalidUtf8 = !validUtf8 && !Utf8.IsValid(line);
        if (invalidUtf8 && format is LineFormat.Json or LineFormat.Clef or LineFormat.Gelf or LineFormat.Ecs or LineFormat.Otlp or LineFormat.Loki)
        {
            FailInvalidUtf8();
            return;
        }

        ParseLineAs(line, format);
        if (invalidUtf8)
        {
            // A text line is kept: its invalid bytes read as U+FFFD, and the event says so.
            _builder.AddExtra(InvalidUtf8Field, "replaced by U+FFFD");
        }
    }

    private void ParseLineAs(ReadOnlySpan<byte> line, LineFormat format)
    {
        switch (format)
        {
            case LineFormat.Json:
                ReadJsonLine(line);
                break;
            case LineFormat.Apache:
                if (AccessLogLine.TryParse(line, _builder) is { } reason)
                {
                    _builder.Fail(ParseErrorTypes.NotApacheFormat, reason);
                }

                break;
            case LineFormat.Text:
                if (_linePattern?.TryApply(line, _builder, _context.ReceivedAt) != true)
                {
                    TextLine.Parse(line, _builder, _context.ReceivedAt);
                }

                break;
            case LineFormat.Clef:
            case LineFormat.Gelf:
            case LineFormat.Ecs:
            case LineFormat.Otlp:
                ReadObjectLine(line, format);
                break;
            case LineFormat.Loki:
                ReadLokiLine(line);
                break;
            default:
                if (_linePattern?.TryApply(line, _builder, _context.ReceivedAt) == true)
                {
                    break;
                }

                if (AccessLogLine.TryParse(line, _builder) is not null)
                {
                    _builder.Reset();
                    TextLine.Parse(line, _builder, _context.ReceivedAt);
                }

                break;
        }
    }

    private void FailInvalidUtf8() => _builder.Fail(ParseErrorTypes.InvalidUtf8, "the record is not valid UTF-8");

    /// <summary>Adds the current record as an event, or as a failure when the builder rejected it.</summary>
    private void Emit(ReadOnlySpan<byte> record, int index) => Emit(_builder, record, index);

    private void Emit(EventBuilder builder, ReadOnlySpan<byte> record, int index)
    {
        if (builder.ErrorType is { } errorType)
        {
            _failures.Add(new ParseFailure(index, record.ToArray(), errorType, builder.ErrorReason ?? errorType));
        }
        else
        {
            var id = EventIds.For(_context.Partition, _context.Offset, index);
            _events.Add(builder.Build(id, Encoding.UTF8.GetString(record), _context));
        }
    }
}

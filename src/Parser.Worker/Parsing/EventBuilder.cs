using System.Buffers;
using System.Buffers.Text;
using System.Text;
using SaasMonitor.Core.Events;

namespace Parser.Worker.Parsing;

/// <summary>
/// The fields of the record being parsed, reused from record to record. Values arrive as UTF-8 spans;
/// numbers and timestamps are parsed in place, low-cardinality strings come from bounded intern pools,
/// so only the message, the raw text and genuinely new values allocate.
/// </summary>
internal sealed class EventBuilder
{
    private const int LongestLevelWord = 11;
    private const int LongestMethod = 32;
    private const int LevelWordSlots = 8;
    private const int TemplateSlots = 4096;

    private readonly InternPool _keywords = new(capacity: 2048, maxLength: 128);
    private readonly InternPool _values = new(capacity: 8192, maxLength: 256);
    private readonly List<KeyValuePair<string, string>> _extra = [];
    private readonly LevelWord[] _levelWords = new LevelWord[LevelWordSlots];
    private readonly Dictionary<string, string> _templates = new(ReferenceEqualityComparer.Instance);
    private int _nextLevelWord;

    public DateTimeOffset? Timestamp { get; set; }
    public string? Level { get; set; }
    public string? Message { get; set; }
    public string? Service { get; set; }
    public string? Server { get; set; }
    public string? Endpoint { get; set; }
    public string? Method { get; set; }
    public int? StatusCode { get; set; }
    public double? ResponseTimeMs { get; set; }
    public string? ClientIp { get; set; }
    public string? UserId { get; set; }
    public string? TenantId { get; set; }
    public string? TraceId { get; set; }

    /// <summary>Why the current record is rejected, or null while it is fine.</summary>
    public string? ErrorType { get; private set; }
    public string? ErrorReason { get; private set; }

    public void Reset()
    {
        Timestamp = null;
        Level = Message = Service = Server = Endpoint = Method = ClientIp = UserId = TenantId = TraceId = null;
        StatusCode = null;
        ResponseTimeMs = null;
        ErrorType = ErrorReason = null;
        _extra.Clear();
    }

    /// <summary>Rejects the current record; the first reason wins.</summary>
    public void Fail(string errorType, string reason)
    {
        if (ErrorType is null)
        {
            ErrorType = errorType;
            ErrorReason = reason;
        }
    }

    /// <summary>An interned string for a low-cardinality value (service, server, endpoint, field name).</summary>
    public string Keyword(ReadOnlySpan<byte> utf8) => _keywords.Get(utf8);

    /// <summary>An interned string for a repeating but larger-cardinality value (client IP, user, user agent).</summary>
    public string Value(ReadOnlySpan<byte> utf8) => _values.Get(utf8);

    public void AddExtra(string key, string value)
    {
        for (var i = 0; i < _extra.Count; i++)
        {
            if (string.Equals(_extra[i].Key, key, StringComparison.Ordinal))
            {
                _extra[i] = new(key, value);
                return;
            }
        }

        _extra.Add(new(key, value));
    }

    /// <summary>Assigns a value to the field <paramref name="kind"/>; <paramref name="key"/> names it in Extra when it lands there.</summary>
    public void Set(FieldKind kind, string key, ReadOnlySpan<byte> value)
    {
        switch (kind)
        {
            case FieldKind.Timestamp:
                SetTimestamp(value);
                break;
            case FieldKind.Level:
                var level = LevelOf(value);
                if (level is not null)
                {
                    Level = level;
                }
                else if (!value.IsEmpty)
                {
                    AddExtra(key, Value(value));
                }

                break;
            case FieldKind.StatusCode:
                SetStatus(value);
                break;
            case FieldKind.ResponseTimeMs:
                SetResponseTime(key, value);
                break;
            case FieldKind.Method:
                Method = value.IsEmpty ? null : MethodName(value);
                break;
            case FieldKind.Message:
                Message = Encoding.UTF8.GetString(value);
                break;
            case FieldKind.Service:
                Service = EmptyAsNull(Keyword(value));
                break;
            case FieldKind.Server:
                Server = EmptyAsNull(Keyword(value));
                break;
            case FieldKind.Endpoint:
                Endpoint = EmptyAsNull(Keyword(value));
                break;
            case FieldKind.TenantId:
                TenantId = EmptyAsNull(Keyword(value));
                break;
            case FieldKind.ClientIp:
                ClientIp = EmptyAsNull(Value(value));
                break;
            case FieldKind.UserId:
                UserId = EmptyAsNull(Value(value));
                break;
            case FieldKind.TraceId:
                TraceId = value.IsEmpty ? null : Encoding.UTF8.GetString(value);
                break;
            default:
                if (!value.IsEmpty)
                {
                    AddExtra(key, Value(value));
                }

                break;
        }
    }

    public void SetTimestamp(ReadOnlySpan<byte> value)
    {
        if (value.Trim(" \t"u8).IsEmpty)
        {
            return;
        }

        if (Timestamps.TryParse(value, out var timestamp))
        {
            Timestamp = timestamp;
        }
        else
        {
            Fail(ParseErrorTypes.InvalidTimestamp,
                $"timestamp '{Encoding.UTF8.GetString(value)}' is not ISO-8601, 'yyyy-MM-dd HH:mm:ss', 'dd/MMM/yyyy:HH:mm:ss Z' or epoch seconds/milliseconds");
        }
    }

    public void SetStatus(ReadOnlySpan<byte> value)
    {
        value = value.Trim(" \t"u8);
        if (value.IsEmpty || value.SequenceEqual("-"u8))
        {
            return;
        }

        if (Utf8Parser.TryParse(value, out int status, out var consumed) && consumed == value.Length)
        {
            StatusCode = status;
        }
        else
        {
            Fail(ParseErrorTypes.InvalidStatus, $"status code '{Encoding.UTF8.GetString(value)}' is not a number");
        }
    }

    /// <summary>The field that marks an event whose record carried no timestamp (its timestamp is the receive time).</summary>
    public const string TimestampSourceField = "timestamp_source";

    /// <summary>The field that keeps an endpoint's path as written when <see cref="LogEvent.Endpoint"/> holds its template.</summary>
    public const string RawEndpointField = "raw_endpoint";

    public LogEvent Build(string id, string raw, in RawContext context)
    {
        if (Timestamp is null)
        {
            AddExtra(TimestampSourceField, "received");
        }

        if (Endpoint is not null && TemplateOf(Endpoint) is var template && !ReferenceEquals(template, Endpoint))
        {
            // KPIs, charts and alerts group by the template; the path as written stays on the event.
            AddExtra(RawEndpointField, Endpoint);
            Endpoint = template;
        }

        return Create(id, raw, context);
    }

    private LogEvent Create(string id, string raw, in RawContext context) => new()
    {
        Id = id,
        Timestamp = Timestamp ?? context.ReceivedAt,
        Level = Level ?? LogLevels.FromStatus(StatusCode),
        Message = Message ?? "",
        Service = Service,
        Server = Server,
        Endpoint = Endpoint,
        Method = Method,
        StatusCode = StatusCode,
        ResponseTimeMs = ResponseTimeMs,
        ClientIp = ClientIp,
        UserId = UserId,
        TenantId = TenantId,
        TraceId = TraceId,
        Extra = _extra.Count == 0 ? null : ExtraFields.Of(_extra),
        Raw = raw,
        Source = context.Source,
        FileId = context.FileId,
        ReceivedAt = context.ReceivedAt,
    };

    /// <summary>
    /// <see cref="NormalizeLevel"/> through a cache of the last level words seen: a stream uses a handful, and a word
    /// of up to 8 bytes is compared as one integer. (A new slot holds the empty word, which is no level: null.)
    /// </summary>
    public string? LevelOf(ReadOnlySpan<byte> word)
    {
        if (word.Length > sizeof(ulong))
        {
            return NormalizeLevel(word);
        }

        var packed = InternPool.Word(word);
        foreach (var slot in _levelWords)
        {
            if (slot.Packed == packed && slot.Length == word.Length)
            {
                return slot.Level;
            }
        }

        var level = NormalizeLevel(word);
        _levelWords[_nextLevelWord++ & (LevelWordSlots - 1)] = new LevelWord(packed, word.Length, level);
        return level;
    }

    /// <summary>The normalised level of a level word in UTF-8, or null when it is not one.</summary>
    public static string? NormalizeLevel(ReadOnlySpan<byte> word)
    {
        word = word.Trim(" \t"u8);
        if (word.IsEmpty || word.Length > LongestLevelWord)
        {
            return null;
        }

        Span<char> chars = stackalloc char[LongestLevelWord];
        for (var i = 0; i < word.Length; i++)
        {
            if (word[i] >= 0x80)
            {
                return null;
            }

            chars[i] = (char)word[i];
        }

        return LogLevels.Normalize(chars[..word.Length]);
    }

    /// <summary>The upper-case HTTP method: a constant for the standard ones, interned otherwise.</summary>
    public string MethodName(ReadOnlySpan<byte> value)
    {
        var known = value.Length switch
        {
            3 when Ascii.EqualsIgnoreCase(value, "GET"u8) => "GET",
            3 when Ascii.EqualsIgnoreCase(value, "PUT"u8) => "PUT",
            4 when Ascii.EqualsIgnoreCase(value, "POST"u8) => "POST",
            4 when Ascii.EqualsIgnoreCase(value, "HEAD"u8) => "HEAD",
            5 when Ascii.EqualsIgnoreCase(value, "PATCH"u8) => "PATCH",
            5 when Ascii.EqualsIgnoreCase(value, "TRACE"u8) => "TRACE",
            6 when Ascii.EqualsIgnoreCase(value, "DELETE"u8) => "DELETE",
            7 when Ascii.EqualsIgnoreCase(value, "OPTIONS"u8) => "OPTIONS",
            7 when Ascii.EqualsIgnoreCase(value, "CONNECT"u8) => "CONNECT",
            _ => null,
        };
        if (known is not null)
        {
            return known;
        }

        if (value.Length > LongestMethod)
        {
            return Encoding.UTF8.GetString(value).ToUpperInvariant();
        }

        Span<byte> upper = stackalloc byte[LongestMethod];
        return Ascii.ToUpper(value, upper, out var written) == OperationStatus.Done
            ? Keyword(upper[..written])
            : Encoding.UTF8.GetString(value).ToUpperInvariant();
    }

    private void SetResponseTime(string key, ReadOnlySpan<byte> value)
    {
        var trimmed = value.Trim(" \t"u8);
        if (trimmed.IsEmpty)
        {
            return;
        }

        if (Utf8Parser.TryParse(trimmed, out double milliseconds, out var consumed) && consumed == trimmed.Length)
        {
            ResponseTimeMs = milliseconds;
        }
        else
        {
            // Not a number: kept as it came rather than dropped.
            AddExtra(key, Value(value));
        }
    }

    /// <summary>
    /// The endpoint's template (the same instance when it has none), remembered per endpoint instance: endpoints come
    /// from the intern pool, so a repeated path costs one lookup, not a scan and a new string.
    /// </summary>
    private string TemplateOf(string endpoint)
    {
        if (_templates.TryGetValue(endpoint, out var template))
        {
            return template;
        }

        if (_templates.Count >= TemplateSlots)
        {
            _templates.Clear();
        }

        template = EndpointTemplates.Apply(endpoint);
        if (!ReferenceEquals(template, endpoint))
        {
            template = Keyword(Encoding.UTF8.GetBytes(template));
        }

        _templates[endpoint] = template;
        return template;
    }

    private static string? EmptyAsNull(string value) => value.Length == 0 ? null : value;

    private readonly record struct LevelWord(ulong Packed, int Length, string? Level);
}

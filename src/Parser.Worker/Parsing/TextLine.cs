using System.Text;

namespace Parser.Worker.Parsing;

/// <summary>
/// Plain text lines, understood without per-source configuration. The line's prefix (its first tokens, before any
/// ordinary words) is read by general recognisers:
/// <list type="bullet">
/// <item>a timestamp at the start of one of the first four tokens, bracketed, quoted or after <c>time=</c> (see <see cref="PrefixTimestamp"/>);</item>
/// <item>a level word (<c>INFO</c>, <c>warn</c>, <c>[ERROR]</c>, <c>[core:error]</c>, <c>SEVERE:</c>, <c>- WARNING -</c>, any case),
/// a single-letter level after the timestamp (<c>I</c>, <c>W</c>, <c>E</c>, as Android and MongoDB write them), a glog/klog
/// <c>I0314 13:45:00.123</c> header, <c>level=</c>/<c>lvl=</c> pairs, or a syslog <c>&lt;PRI&gt;</c>;</item>
/// <item>a <c>component:</c> right after the level (the service), <c>|</c>-separated columns after the timestamp,
/// and the <c>host tag[pid]:</c> of BSD syslog (server and service);</item>
/// <item>an RFC 5424 syslog header.</item>
/// </list>
/// The message is what remains after the consumed prefix (or logfmt's <c>msg=</c>). Numbers, bracketed groups,
/// separators and identifiers count as prefix; the first ordinary word fixes the start of the message, and the scan
/// stops at the second.
/// </summary>
internal static class TextLine
{
    private const int TimestampTokens = 4;
    private const int HeaderTokens = 10;
    private const int HeaderBytes = 192;
    private const int LongestTag = 64;

    public static void Parse(ReadOnlySpan<byte> line, EventBuilder builder, DateTimeOffset receivedAt)
    {
        var start = 0;
        if (line[0] == '<' && Syslog.TryReadPriority(line, builder, out start) && Syslog.TryRfc5424(line, start, builder))
        {
            return;
        }

        if (TryGlog(line, start, builder, receivedAt, out var afterGlog))
        {
            SetMessage(line, afterGlog, line.Length, builder);
            return;
        }

        var scan = new Scan(line, start, Math.Min(line.Length, start + HeaderBytes), builder.Level is not null);
        var levelFirst = false;
        for (var token = 0; token < HeaderTokens && scan.Next(); token++)
        {
            var p = scan.Position;
            if (builder.Timestamp is null && token < TimestampTokens && TryTimestampToken(line, p, scan.TokenEnd, receivedAt, out var timestamp, out var end, out var shape))
            {
                builder.Timestamp = timestamp;
                end = SkipClosers(line, end);
                if (shape == TimestampShape.MonthNameNoYear && token == 0 && p == start && TrySyslogHeader(line, end, builder))
                {
                    return;
                }

                scan.ResumeAt(end);
                if (end < line.Length && line[end] == '|')
                {
                    scan.Consume(ReadColumns(line, end, builder));
                    break;
                }

                if (levelFirst)
                {
                    break;
                }

                continue;
            }

            var tokenText = line[p..scan.TokenEnd];
            if (levelFirst)
            {
                // A level before any timestamp: the timestamp may still follow among the first tokens; nothing else is consumed.
                if (token >= TimestampTokens || IsOrdinaryWord(tokenText))
                {
                    break;
                }

                continue;
            }

            if (TryLogfmt(tokenText, builder, ref scan, receivedAt))
            {
                continue;
            }

            if (!scan.LevelFound && LevelOf(tokenText, builder.Timestamp is not null, builder, out var levelLength) is { } level)
            {
                builder.Level = level;
                scan.LevelFound = true;
                var marked = IsMarkedLevel(tokenText[..levelLength]);
                if (builder.Timestamp is not null || marked)
                {
                    // A marked level ends the prefix even after one ordinary word (a logger or host name: "- app - ERROR -").
                    scan.Consume(p + levelLength, force: marked);
                    scan.Consume(ReadComponent(line, p + levelLength, builder));
                }

                if (builder.Timestamp is not null)
                {
                    break;
                }

                levelFirst = true;
                continue;
            }

            // Anything else (a number, a bracketed group, a separator, an identifier) belongs to the prefix only when a
            // recognised part follows it.
            if (IsOrdinaryWord(tokenText) && scan.OrdinaryWord())
            {
                break;
            }
        }

        SetMessage(line, scan.MessageStart, scan.MessageEnd, builder);
    }

    /// <summary>The timestamp at the start of a token: bare, after <c>[</c>, <c>(</c> or <c>"</c>.</summary>
    private static bool TryTimestampToken(ReadOnlySpan<byte> s, int p, int tokenEnd, DateTimeOffset receivedAt, out DateTimeOffset value, out int end, out TimestampShape shape)
    {
        var q = p;
        while (q < tokenEnd && s[q] is (byte)'[' or (byte)'(' or (byte)'"')
        {
            q++;
        }

        return PrefixTimestamp.TryRead(s, q, receivedAt, out value, out end, out shape);
    }

    /// <summary>
    /// A level token: a level word, bare or followed by <c>:</c>, <c>]</c> or <c>,</c>, or before a <c>:</c> inside the token;
    /// a bracketed level, also <c>[module:level]</c>; after a timestamp, one of the letters V D I W E F.
    /// <paramref name="length"/> is how much of the token the level takes.
    /// </summary>
    private static string? LevelOf(ReadOnlySpan<byte> token, bool afterTimestamp, EventBuilder builder, out int length)
    {
        length = token.Length;
        if (token.Length == 1)
        {
            return afterTimestamp ? LetterLevel(token[0]) : null;
        }

        if (token[0] == '[' && token[^1] == ']')
        {
            var inside = token[1..^1].Trim((byte)' ');
            var colon = inside.LastIndexOf((byte)':');
            return builder.LevelOf(colon >= 0 ? inside[(colon + 1)..] : inside);
        }

        if (builder.LevelOf(token.TrimEnd(":],"u8)) is { } level)
        {
            return level;
        }

        // LEVEL:logger:message, as Python's logging writes by default.
        var inner = token.IndexOf((byte)':');
        length = inner + 1;
        return inner > 0 ? builder.LevelOf(token[..inner]) : null;
    }

    /// <summary>
    /// A level token that is plainly a level rather than a word of text (<c>ERROR</c>, <c>[warn]</c>, <c>info:</c>, not
    /// <c>Error connecting</c>): upper case, bracketed or followed by a colon.
    /// </summary>
    private static bool IsMarkedLevel(ReadOnlySpan<byte> token) =>
        token[0] == '[' || token[^1] == ':' || !token.ContainsAnyInRange((byte)'a', (byte)'z');

    private static string? LetterLevel(byte letter) => letter switch
    {
        (byte)'V' or (byte)'D' => SaasMonitor.Core.Events.LogLevels.Debug,
        (byte)'I' => SaasMonitor.Core.Events.LogLevels.Info,
        (byte)'W' => SaasMonitor.Core.Events.LogLevels.Warning,
        (byte)'E' => SaasMonitor.Core.Events.LogLevels.Error,
        (byte)'F' => SaasMonitor.Core.Events.LogLevels.Critical,
        _ => null,
    };

    /// <summary>
    /// logfmt pairs in the prefix: <c>time=</c>/<c>ts=</c>/<c>t=</c> set the timestamp, <c>level=</c>/<c>lvl=</c>/<c>severity=</c>
    /// the level, and <c>msg=</c>/<c>message=</c> the message (its value, unquoted).
    /// </summary>
    private static bool TryLogfmt(ReadOnlySpan<byte> token, EventBuilder builder, ref Scan scan, DateTimeOffset receivedAt)
    {
        var equals = token.IndexOf((byte)'=');
        if (equals <= 0)
        {
            return false;
        }

        var key = token[..equals];
        var valueStart = scan.Position + equals + 1;
        var value = token[(equals + 1)..];
        var quoted = value.Length >= 2 && value[0] == '"' && value[^1] == '"';
        if (quoted)
        {
            value = value[1..^1];
            valueStart++;
        }

        if (key.SequenceEqual("msg"u8) || key.SequenceEqual("message"u8))
        {
            scan.SetMessage(valueStart, valueStart + value.Length);
            return true;
        }

        if ((key.SequenceEqual("level"u8) || key.SequenceEqual("lvl"u8) || key.SequenceEqual("severity"u8))
            && !scan.LevelFound && builder.LevelOf(value) is { } level)
        {
            builder.Level = level;
            scan.LevelFound = true;
            scan.Consume(scan.TokenEnd);
        }
        else if ((key.SequenceEqual("time"u8) || key.SequenceEqual("ts"u8) || key.SequenceEqual("t"u8)) && builder.Timestamp is null
            && PrefixTimestamp.TryRead(scan.Line, valueStart, receivedAt, out var timestamp, out _, out _))
        {
            builder.Timestamp = timestamp;
            scan.Consume(scan.TokenEnd);
        }

        return true;
    }

    /// <summary>glog/klog: <c>Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg</c>.</summary>
    private static bool TryGlog(ReadOnlySpan<byte> s, int start, EventBuilder builder, DateTimeOffset receivedAt, out int messageStart)
    {
        messageStart = start;
        if (s.Length < start + 15 || s[start] is not ((byte)'I' or (byte)'W' or (byte)'E' or (byte)'F') || s[start + 5] != ' '
            || !Timestamps.TryDigits(s, start + 1, 2, out var month) || !Timestamps.TryDigits(s, start + 3, 2, out var day)
            || !PrefixTimestamp.TryRead(s, start + 6, receivedAt, out var timeOfDay, out var end, out _))
        {
            return false;
        }

        var time = timeOfDay.UtcDateTime.TimeOfDay.Ticks;
        if (!PrefixTimestamp.TryWithoutYear(month, day, time, TimeSpan.Zero, receivedAt, out var timestamp))
        {
            return false;
        }

        builder.Timestamp = timestamp;
        builder.Level = LetterLevel(s[start]);
        var close = s[end..Math.Min(s.Length, end + 96)].IndexOf("] "u8);
        messageStart = close < 0 ? end : end + close + 2;
        return true;
    }

    /// <summary>After a BSD syslog timestamp: <c>host tag[pid]: content</c>; the level is a leading level word of the content, which keeps it.</summary>
    private static bool TrySyslogHeader(ReadOnlySpan<byte> s, int pos, EventBuilder builder)
    {
        var rest = s[pos..].TrimStart((byte)' ');
        var space = rest.IndexOf((byte)' ');
        if (space <= 0 || rest[space - 1] == ':')
        {
            return false;
        }

        builder.Server = builder.Keyword(rest[..space]);
        rest = rest[(space + 1)..].TrimStart((byte)' ');
        var colon = rest[..Math.Min(rest.Length, LongestTag)].IndexOf(": "u8);
        if (colon < 0 && rest.Length <= LongestTag && rest.EndsWith(":"u8))
        {
            colon = rest.Length - 1;
        }

        if (colon > 0)
        {
            var tag = rest[..colon];
            var pid = tag.LastIndexOf((byte)'[');
            builder.Service = builder.Keyword(pid > 0 && tag[^1] == ']' ? tag[..pid] : tag);
            rest = rest[Math.Min(rest.Length, colon + 2)..];
        }

        rest = rest.TrimStart(" \t"u8);
        if (builder.Level is null)
        {
            var wordEnd = rest.IndexOfAny(" :]"u8);
            var word = wordEnd < 0 ? rest : rest[..wordEnd];
            builder.Level = builder.LevelOf(word.Length > 1 && word[0] == '[' ? word[1..] : word);
        }

        builder.Message = Encoding.UTF8.GetString(rest.TrimEnd(" \t"u8));
        return true;
    }

    /// <summary>
    /// <c>|</c>-separated columns after the timestamp: a level column sets the level, the first other column the service;
    /// the message is what follows a number column (a process id), or the last column, or the first one with a space.
    /// Returns where it starts.
    /// </summary>
    private static int ReadColumns(ReadOnlySpan<byte> s, int pos, EventBuilder builder)
    {
        while (pos < s.Length && s[pos] == '|')
        {
            var next = s[(pos + 1)..].IndexOf((byte)'|');
            if (next < 0)
            {
                return pos + 1;
            }

            var column = s.Slice(pos + 1, next).Trim((byte)' ');
            if (column.Contains((byte)' '))
            {
                return pos + 1;
            }

            pos += next + 1;
            if (IsNumber(column))
            {
                // A process id closes the header.
                return pos + 1;
            }

            if (builder.Level is null && builder.LevelOf(column) is { } level)
            {
                builder.Level = level;
            }
            else if (builder.Service is null && !column.IsEmpty)
            {
                builder.Service = builder.Keyword(column);
            }
        }

        return pos;
    }

    /// <summary>A <c>component:</c> token (an identifier or a capitalised name, not a lower-case word) after the level: the service. Returns the position after it, or <paramref name="pos"/>.</summary>
    private static int ReadComponent(ReadOnlySpan<byte> s, int pos, EventBuilder builder)
    {
        var p = pos;
        while (p < s.Length && s[p] == ' ')
        {
            p++;
        }

        var end = s[p..Math.Min(s.Length, p + 128)].IndexOf((byte)' ');
        var token = end < 0 ? s[p..Math.Min(s.Length, p + 128)] : s.Slice(p, end);
        if (token.Length < 2 || token[^1] != ':' || !IsLetter(token[0]) || (end < 0 && p + token.Length != s.Length) || (IsOrdinaryWord(token[..^1]) && token[0] is >= (byte)'a' and <= (byte)'z') || builder.LevelOf(token[..^1]) is not null)
        {
            return pos;
        }

        builder.Service = builder.Keyword(token[..^1]);
        return p + token.Length;
    }

    /// <summary>The message from <paramref name="start"/>, without a leading separator (<c>-</c>, <c>:</c>, <c>|</c>) or blanks.</summary>
    private static void SetMessage(ReadOnlySpan<byte> s, int start, int end, EventBuilder builder)
    {
        var message = s[Math.Min(start, end)..end].Trim(" \t"u8);
        if (message.Length > 1 && message[0] is (byte)'-' or (byte)':' or (byte)'|' or (byte)',')
        {
            var separator = message.IndexOfAnyExcept(message[0]);
            if (separator < 0 || message[separator] == ' ')
            {
                message = separator < 0 ? default : message[separator..].TrimStart(" \t"u8);
            }
        }

        builder.Message = Encoding.UTF8.GetString(message);
    }

    private static int SkipClosers(ReadOnlySpan<byte> s, int pos)
    {
        while (pos < s.Length && s[pos] is (byte)']' or (byte)')' or (byte)'"' or (byte)',')
        {
            pos++;
        }

        return pos;
    }

    /// <summary>Letters only with at least one lower-case one (ordinary text, not a constant such as <c>KERNEL</c>), optionally followed by punctuation.</summary>
    private static bool IsOrdinaryWord(ReadOnlySpan<byte> token)
    {
        token = token.TrimEnd(".,;:!?"u8);
        if (token.IsEmpty)
        {
            return false;
        }

        var lower = false;
        foreach (var b in token)
        {
            var folded = b | 0x20;
            if (folded is < 'a' or > 'z')
            {
                return false;
            }

            lower |= b == folded;
        }

        return lower;
    }

    private static bool IsLetter(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';

    private static bool IsNumber(ReadOnlySpan<byte> s) => !s.IsEmpty && !s.ContainsAnyExceptInRange((byte)'0', (byte)'9');

    /// <summary>The walk over a line's prefix: the current token and where the message starts and ends.</summary>
    private ref struct Scan(ReadOnlySpan<byte> line, int start, int limit, bool levelFound)
    {
        private readonly int _limit = limit;
        private bool _messageFixed;
        private bool _ordinaryWordSeen;

        public readonly ReadOnlySpan<byte> Line = line;

        public int Position { get; private set; } = start;

        public int TokenEnd { get; private set; } = start;

        public int MessageStart { get; set; } = start;

        public int MessageEnd { get; private set; } = line.Length;

        public bool LevelFound { get; set; } = levelFound;

        /// <summary>Moves to the next token (a bracketed group is one token, a quoted value is part of its token); false at the end of the prefix.</summary>
        public bool Next()
        {
            var p = Math.Max(Position, TokenEnd);
            while (p < _limit && Line[p] is (byte)' ' or (byte)'\t')
            {
                p++;
            }

            if (p >= _limit)
            {
                return false;
            }

            Position = p;
            TokenEnd = Line[p] == '[' ? GroupEnd(p) : WordEnd(p);
            return true;
        }

        /// <summary>The message starts after <paramref name="end"/> unless an ordinary word came first (or, with <paramref name="force"/>, anyway; not after a logfmt <c>msg=</c>).</summary>
        public void Consume(int end, bool force = false)
        {
            TokenEnd = Math.Max(TokenEnd, end);
            if (force && MessageEnd == Line.Length)
            {
                _messageFixed = false;
            }

            if (!_messageFixed)
            {
                MessageStart = Math.Max(MessageStart, end);
            }
        }

        /// <summary>Continues right after <paramref name="end"/> (a timestamp may end inside a bracketed token).</summary>
        public void ResumeAt(int end)
        {
            TokenEnd = end;
            if (!_messageFixed)
            {
                MessageStart = Math.Max(MessageStart, end);
            }
        }

        /// <summary>Records an ordinary word: the message starts at the first; true (stop) at the second.</summary>
        public bool OrdinaryWord()
        {
            _messageFixed = true;
            if (_ordinaryWordSeen)
            {
                return true;
            }

            _ordinaryWordSeen = true;
            return false;
        }

        public void SetMessage(int start, int end)
        {
            MessageStart = start;
            MessageEnd = end;
            _messageFixed = true;
        }

        private readonly int GroupEnd(int p)
        {
            var depth = 0;
            for (var i = p; i < _limit; i++)
            {
                if (Line[i] == '[')
                {
                    depth++;
                }
                else if (Line[i] == ']' && --depth == 0)
                {
                    return i + 1;
                }
            }

            return WordEnd(p);
        }

        private readonly int WordEnd(int p)
        {
            var quoted = false;
            for (var i = p; i < Line.Length; i++)
            {
                var b = Line[i];
                if (b == '"' && i > p && (Line[i - 1] == '=' || quoted))
                {
                    quoted = !quoted;
                }
                else if (b == '\\' && quoted)
                {
                    i++;
                }
                else if (!quoted && b is (byte)' ' or (byte)'\t')
                {
                    return i;
                }
            }

            return Line.Length;
        }
    }
}

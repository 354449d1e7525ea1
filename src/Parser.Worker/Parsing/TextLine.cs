using System.Text;

namespace Parser.Worker.Parsing;

/// <summary>
/// Plain text lines. Recognises the timestamp (and level, component, host) of common layouts and keeps the
/// rest as the message:
/// Apache error log <c>[Sun Dec 04 04:47:44 2005] [notice] content</c>;
/// syslog <c>Dec 10 06:55:46 host tag[pid]: content</c> (no year: the year of the receive time);
/// HDFS <c>081109 203615 148 INFO component: content</c>;
/// log4j/Spark <c>17/06/09 20:10:40 INFO component: content</c>;
/// HealthApp <c>20171223-22:15:29:606|component|pid|content</c>;
/// ISO-8601 prefixed <c>2024-01-02T03:04:05Z LEVEL content</c>.
/// Otherwise the whole line is the message. A leading level word (bare, bracketed or followed by ':') sets the level.
/// </summary>
internal static class TextLine
{
    public static void Parse(ReadOnlySpan<byte> line, EventBuilder builder, DateTimeOffset receivedAt)
    {
        var handled = line[0] switch
        {
            (byte)'[' => TryApacheError(line, builder),
            >= (byte)'0' and <= (byte)'9' => TryHdfs(line, builder) || TryLog4j(line, builder) || TryHealthApp(line, builder) || TryIsoPrefixed(line, builder),
            >= (byte)'A' and <= (byte)'Z' => TrySyslog(line, builder, receivedAt),
            _ => false,
        };
        if (!handled)
        {
            SetContentAndLevel(line, builder);
        }
    }

    /// <summary><c>[Www Mmm dd HH:mm:ss yyyy] [level] content</c>.</summary>
    private static bool TryApacheError(ReadOnlySpan<byte> s, EventBuilder builder)
    {
        if (s.Length < 27 || s[25] != ']' || s[4] != ' ' || s[8] != ' ' || s[11] != ' ' || s[20] != ' '
            || !TryTime(s, 12, out var hour, out var minute, out var second)
            || !TryDay(s, 9, out var day) || !Timestamps.TryDigits(s, 21, 4, out var year)
            || !Timestamps.TryCreate(year, Timestamps.Month(s.Slice(5, 3)), day, hour, minute, second, 0, TimeSpan.Zero, out var timestamp))
        {
            return false;
        }

        builder.Timestamp = timestamp;
        var rest = s[26..].TrimStart((byte)' ');
        if (rest.Length > 2 && rest[0] == '[')
        {
            var close = rest.IndexOf((byte)']');
            if (close > 0 && EventBuilder.NormalizeLevel(rest[1..close]) is { } level)
            {
                builder.Level = level;
                rest = rest[(close + 1)..];
            }
        }

        SetContent(rest, builder);
        return true;
    }

    /// <summary><c>Mmm dd HH:mm:ss host tag: content</c>, the day space-padded or not.</summary>
    private static bool TrySyslog(ReadOnlySpan<byte> s, EventBuilder builder, DateTimeOffset receivedAt)
    {
        if (s.Length < 17 || s[3] != ' ' || s[6] != ' ' || s[15] != ' ' || !TryDay(s, 4, out var day)
            || !TryTime(s, 7, out var hour, out var minute, out var second))
        {
            return false;
        }

        var month = Timestamps.Month(s[..3]);
        if (!Timestamps.TryCreate(receivedAt.Year, month, day, hour, minute, second, 0, TimeSpan.Zero, out var timestamp))
        {
            return false;
        }

        // Syslog carries no year: a date later than the receive time belongs to the year before.
        if (timestamp > receivedAt.AddDays(1) && Timestamps.TryCreate(receivedAt.Year - 1, month, day, hour, minute, second, 0, TimeSpan.Zero, out var lastYear))
        {
            timestamp = lastYear;
        }

        builder.Timestamp = timestamp;
        var rest = s[16..];
        var space = rest.IndexOf((byte)' ');
        if (space <= 0)
        {
            SetContent(rest, builder);
            return true;
        }

        builder.Server = builder.Keyword(rest[..space]);
        rest = rest[(space + 1)..].TrimStart((byte)' ');
        var colon = rest.IndexOf(": "u8);
        if (colon > 0)
        {
            var tag = rest[..colon];
            var pid = tag.LastIndexOf((byte)'[');
            builder.Service = builder.Keyword(pid > 0 && tag[^1] == ']' ? tag[..pid] : tag);
            rest = rest[(colon + 2)..];
        }

        SetContentAndLevel(rest, builder);
        return true;
    }

    /// <summary><c>yyMMdd HHmmss pid LEVEL component: content</c>.</summary>
    private static bool TryHdfs(ReadOnlySpan<byte> s, EventBuilder builder)
    {
        if (s.Length < 16 || s[6] != ' ' || s[13] != ' '
            || !Timestamps.TryDigits(s, 0, 2, out var year) || !Timestamps.TryDigits(s, 2, 2, out var month) || !Timestamps.TryDigits(s, 4, 2, out var day)
            || !Timestamps.TryDigits(s, 7, 2, out var hour) || !Timestamps.TryDigits(s, 9, 2, out var minute) || !Timestamps.TryDigits(s, 11, 2, out var second)
            || !Timestamps.TryCreate(2000 + year, month, day, hour, minute, second, 0, TimeSpan.Zero, out var timestamp))
        {
            return false;
        }

        var rest = s[14..];
        var space = rest.IndexOf((byte)' ');
        if (space <= 0 || rest[..space].ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            return false;
        }

        builder.Timestamp = timestamp;
        SetLevelComponentContent(rest[(space + 1)..], builder);
        return true;
    }

    /// <summary><c>yy/MM/dd HH:mm:ss LEVEL component: content</c>.</summary>
    private static bool TryLog4j(ReadOnlySpan<byte> s, EventBuilder builder)
    {
        if (s.Length < 18 || s[2] != '/' || s[5] != '/' || s[8] != ' ' || s[17] != ' '
            || !Timestamps.TryDigits(s, 0, 2, out var year) || !Timestamps.TryDigits(s, 3, 2, out var month) || !Timestamps.TryDigits(s, 6, 2, out var day)
            || !TryTime(s, 9, out var hour, out var minute, out var second)
            || !Timestamps.TryCreate(2000 + year, month, day, hour, minute, second, 0, TimeSpan.Zero, out var timestamp))
        {
            return false;
        }

        builder.Timestamp = timestamp;
        SetLevelComponentContent(s[18..], builder);
        return true;
    }

    /// <summary><c>yyyyMMdd-H:m:s:SSS|component|pid|content</c>: the time parts are written without padding.</summary>
    private static bool TryHealthApp(ReadOnlySpan<byte> s, EventBuilder builder)
    {
        if (s.Length < 17 || s[8] != '-'
            || !Timestamps.TryDigits(s, 0, 4, out var year) || !Timestamps.TryDigits(s, 4, 2, out var month) || !Timestamps.TryDigits(s, 6, 2, out var day))
        {
            return false;
        }

        var rest = s[9..];
        if (!TryUnpadded(ref rest, (byte)':', 2, out var hour) || !TryUnpadded(ref rest, (byte)':', 2, out var minute)
            || !TryUnpadded(ref rest, (byte)':', 2, out var second) || !TryUnpadded(ref rest, (byte)'|', 3, out var millisecond)
            || !Timestamps.TryCreate(year, month, day, hour, minute, second, millisecond * TimeSpan.TicksPerMillisecond, TimeSpan.Zero, out var timestamp))
        {
            return false;
        }

        var componentEnd = rest.IndexOf((byte)'|');
        if (componentEnd < 0)
        {
            return false;
        }

        var component = rest[..componentEnd];
        rest = rest[(componentEnd + 1)..];
        var pidEnd = rest.IndexOf((byte)'|');
        if (pidEnd < 0)
        {
            return false;
        }

        builder.Timestamp = timestamp;
        builder.Service = builder.Keyword(component);
        SetContent(rest[(pidEnd + 1)..], builder);
        return true;
    }

    /// <summary><c>yyyy-MM-dd[T ]HH:mm:ss[.fff][zone] [LEVEL] content</c>.</summary>
    private static bool TryIsoPrefixed(ReadOnlySpan<byte> s, EventBuilder builder)
    {
        if (s.Length < 10 || s[4] != '-')
        {
            return false;
        }

        // The timestamp is the first token, or the first two when a space separates date and time.
        var end = s.IndexOf((byte)' ');
        if (end == 10 && s.Length > 11 && Timestamps.IsDigit(s[11]))
        {
            var timeEnd = s[11..].IndexOf((byte)' ');
            end = timeEnd < 0 ? s.Length : 11 + timeEnd;
        }

        if (end < 0)
        {
            end = s.Length;
        }

        if (!Timestamps.TryParseIso(s[..end], out var timestamp))
        {
            return false;
        }

        builder.Timestamp = timestamp;
        SetContentAndLevel(s[end..], builder);
        return true;
    }

    /// <summary><c>LEVEL component: content</c>, as HDFS and log4j write after their timestamp.</summary>
    private static void SetLevelComponentContent(ReadOnlySpan<byte> rest, EventBuilder builder)
    {
        var space = rest.IndexOf((byte)' ');
        if (space > 0 && EventBuilder.NormalizeLevel(rest[..space]) is { } level)
        {
            builder.Level = level;
            rest = rest[(space + 1)..];
        }

        var colon = rest.IndexOf(": "u8);
        if (colon > 0 && !rest[..colon].Contains((byte)' '))
        {
            builder.Service = builder.Keyword(rest[..colon]);
            rest = rest[(colon + 2)..];
        }

        SetContent(rest, builder);
    }

    /// <summary>The message, with a leading level word (<c>ERROR</c>, <c>[warn]</c>, <c>error:</c>) taken as the level.</summary>
    private static void SetContentAndLevel(ReadOnlySpan<byte> rest, EventBuilder builder)
    {
        rest = rest.TrimStart(" \t"u8);
        var wordEnd = rest.IndexOfAny(" :]"u8);
        var word = wordEnd < 0 ? rest : rest[..wordEnd];
        var bracketed = word.Length > 1 && word[0] == '[';
        if (EventBuilder.NormalizeLevel(bracketed ? word[1..] : word) is { } level)
        {
            builder.Level = level;
        }

        SetContent(rest, builder);
    }

    private static void SetContent(ReadOnlySpan<byte> content, EventBuilder builder) =>
        builder.Message = Encoding.UTF8.GetString(content.Trim(" \t"u8));

    /// <summary><c>HH:mm:ss</c> at <paramref name="start"/>.</summary>
    private static bool TryTime(ReadOnlySpan<byte> s, int start, out int hour, out int minute, out int second)
    {
        minute = second = 0;
        return Timestamps.TryDigits(s, start, 2, out hour) && s[start + 2] == ':' && Timestamps.TryDigits(s, start + 3, 2, out minute)
            && s[start + 5] == ':' && Timestamps.TryDigits(s, start + 6, 2, out second);
    }

    /// <summary>1 to <paramref name="maxDigits"/> digits followed by <paramref name="separator"/>; moves past both.</summary>
    private static bool TryUnpadded(ref ReadOnlySpan<byte> rest, byte separator, int maxDigits, out int value)
    {
        var end = rest[..Math.Min(rest.Length, maxDigits + 1)].IndexOf(separator);
        value = 0;
        if (end <= 0 || !Timestamps.TryDigits(rest, 0, end, out value))
        {
            return false;
        }

        rest = rest[(end + 1)..];
        return true;
    }

    /// <summary>A two-character day of month, "04" or " 4".</summary>
    private static bool TryDay(ReadOnlySpan<byte> s, int start, out int day)
    {
        if (s[start] == ' ')
        {
            return Timestamps.TryDigits(s, start + 1, 1, out day);
        }

        return Timestamps.TryDigits(s, start, 2, out day);
    }
}

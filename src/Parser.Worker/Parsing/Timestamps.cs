using System.Buffers.Text;

namespace Parser.Worker.Parsing;

/// <summary>
/// Span-based timestamp parsing for the formats records carry. Every result is in UTC (offset zero);
/// a value without a zone is taken as UTC.
/// </summary>
internal static class Timestamps
{
    private const long MaxEpochSeconds = 100_000_000_000;          // beyond: milliseconds
    private const long MaxEpochMilliseconds = 100_000_000_000_000;  // beyond: microseconds
    private const long MaxEpochMicroseconds = 100_000_000_000_000_000; // beyond: nanoseconds

    /// <summary>
    /// ISO-8601 (with or without zone, 'T' or space between date and time, '.' or ',' before the fraction),
    /// <c>dd/MMM/yyyy:HH:mm:ss Z</c>, or epoch seconds / milliseconds (told apart by magnitude; microseconds
    /// and nanoseconds too).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out DateTimeOffset value)
    {
        text = text.Trim(" \t"u8);
        if (text.Length >= 10 && IsDigit(text[0]) && text[4] == '-')
        {
            return TryParseIso(text, out value);
        }

        if (text.Length >= 20 && text[2] == '/')
        {
            return TryParseCommonLog(text, out value);
        }

        return TryParseEpoch(text, out value);
    }

    /// <summary><c>yyyy-MM-dd[(T| )HH:mm[:ss[(.|,)f+]]][Z|±HH[:]mm]</c>.</summary>
    public static bool TryParseIso(ReadOnlySpan<byte> s, out DateTimeOffset value)
    {
        value = default;
        if (!TryDigits(s, 0, 4, out var year) || s[4] != '-' || !TryDigits(s, 5, 2, out var month) || s[7] != '-'
            || !TryDigits(s, 8, 2, out var day))
        {
            return false;
        }

        int hour = 0, minute = 0, second = 0;
        long fractionTicks = 0;
        var pos = 10;
        if (pos < s.Length)
        {
            if (s[pos] is not ((byte)'T' or (byte)'t' or (byte)' ') || !TryDigits(s, pos + 1, 2, out hour)
                || pos + 3 >= s.Length || s[pos + 3] != ':' || !TryDigits(s, pos + 4, 2, out minute))
            {
                return false;
            }

            pos += 6;
            if (pos < s.Length && s[pos] == ':')
            {
                if (!TryDigits(s, pos + 1, 2, out second))
                {
                    return false;
                }

                pos += 3;
                if (pos < s.Length && s[pos] is (byte)'.' or (byte)',')
                {
                    pos = ReadFraction(s, pos + 1, out fractionTicks);
                    if (pos < 0)
                    {
                        return false;
                    }
                }
            }
        }

        if (!TryReadZone(s[pos..], out var offset))
        {
            return false;
        }

        return TryCreate(year, month, day, hour, minute, second, fractionTicks, offset, out value);
    }

    /// <summary><c>dd/MMM/yyyy:HH:mm:ss ±HHmm</c> (Apache/Nginx access logs).</summary>
    public static bool TryParseCommonLog(ReadOnlySpan<byte> s, out DateTimeOffset value)
    {
        value = default;
        if (s.Length < 20 || !TryDigits(s, 0, 2, out var day) || s[2] != '/' || s[6] != '/'
            || !TryDigits(s, 7, 4, out var year) || s[11] != ':' || !TryDigits(s, 12, 2, out var hour) || s[14] != ':'
            || !TryDigits(s, 15, 2, out var minute) || s[17] != ':' || !TryDigits(s, 18, 2, out var second))
        {
            return false;
        }

        var month = Month(s.Slice(3, 3));
        if (month == 0 || !TryReadZone(s[20..], out var offset))
        {
            return false;
        }

        return TryCreate(year, month, day, hour, minute, second, 0, offset, out value);
    }

    /// <summary>Epoch seconds (optionally with a fraction), milliseconds, microseconds or nanoseconds.</summary>
    public static bool TryParseEpoch(ReadOnlySpan<byte> s, out DateTimeOffset value)
    {
        value = default;
        if (s.IsEmpty || !IsDigit(s[0]))
        {
            return false;
        }

        var dot = s.IndexOf((byte)'.');
        var integer = dot < 0 ? s : s[..dot];
        if (!Utf8Parser.TryParse(integer, out long number, out var consumed) || consumed != integer.Length)
        {
            return false;
        }

        if (dot >= 0)
        {
            // Only seconds carry a fraction.
            if (number >= MaxEpochSeconds || ReadFraction(s, dot + 1, out var fractionTicks) != s.Length)
            {
                return false;
            }

            value = DateTimeOffset.UnixEpoch.AddTicks(number * TimeSpan.TicksPerSecond + fractionTicks);
            return true;
        }

        var ticks = number switch
        {
            < MaxEpochSeconds => number * TimeSpan.TicksPerSecond,
            < MaxEpochMilliseconds => number * TimeSpan.TicksPerMillisecond,
            < MaxEpochMicroseconds => number * TimeSpan.TicksPerMicrosecond,
            _ => number / TimeSpan.NanosecondsPerTick,
        };
        value = DateTimeOffset.UnixEpoch.AddTicks(ticks);
        return true;
    }

    /// <summary>Builds a UTC instant from local parts and their offset; false when a part is out of range.</summary>
    public static bool TryCreate(int year, int month, int day, int hour, int minute, int second, long fractionTicks, TimeSpan offset, out DateTimeOffset value)
    {
        value = default;
        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        // A leap second (60) is folded into the next minute.
        var local = new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified).AddTicks(second * TimeSpan.TicksPerSecond + fractionTicks);
        var utcTicks = local.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        value = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        return true;
    }

    /// <summary>Month number (1-12) of an English three-letter abbreviation in any case, 0 when it is none.</summary>
    public static int Month(ReadOnlySpan<byte> abbreviation)
    {
        if (abbreviation.Length != 3)
        {
            return 0;
        }

        var key = (abbreviation[0] | 0x20) << 16 | (abbreviation[1] | 0x20) << 8 | (abbreviation[2] | 0x20);
        var names = "janfebmaraprmayjunjulaugsepoctnovdec"u8;
        for (var i = 0; i < 12; i++)
        {
            if (key == (names[i * 3] << 16 | names[i * 3 + 1] << 8 | names[i * 3 + 2]))
            {
                return i + 1;
            }
        }

        return 0;
    }

    /// <summary>Parses <paramref name="count"/> ASCII digits at <paramref name="start"/>.</summary>
    public static bool TryDigits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        if (start < 0 || start + count > s.Length)
        {
            return false;
        }

        for (var i = start; i < start + count; i++)
        {
            var digit = s[i] - (byte)'0';
            if ((uint)digit > 9)
            {
                return false;
            }

            value = value * 10 + digit;
        }

        return true;
    }

    public static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    /// <summary>Reads fraction digits (any count, precision kept to ticks); returns the position after them or -1.</summary>
    private static int ReadFraction(ReadOnlySpan<byte> s, int pos, out long ticks)
    {
        ticks = 0;
        var start = pos;
        long scale = TimeSpan.TicksPerSecond;
        while (pos < s.Length && IsDigit(s[pos]))
        {
            if (scale > 1)
            {
                scale /= 10;
                ticks += (s[pos] - '0') * scale;
            }

            pos++;
        }

        return pos == start ? -1 : pos;
    }

    /// <summary>Empty (UTC), "Z", "UTC", "GMT" or ±HH[[:]mm], optionally after one space.</summary>
    private static bool TryReadZone(ReadOnlySpan<byte> s, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        if (s.Length > 0 && s[0] == ' ')
        {
            s = s[1..];
        }

        if (s.IsEmpty || s.SequenceEqual("Z"u8) || s.SequenceEqual("z"u8) || s.SequenceEqual("UTC"u8) || s.SequenceEqual("GMT"u8))
        {
            return true;
        }

        if (s[0] is not ((byte)'+' or (byte)'-') || !TryDigits(s, 1, 2, out var hours))
        {
            return false;
        }

        var minutes = 0;
        var rest = s[3..];
        if (rest.Length > 0 && rest[0] == ':')
        {
            rest = rest[1..];
        }

        if (rest.Length == 2 && !TryDigits(rest, 0, 2, out minutes) || rest.Length is not (0 or 2) || hours > 14 || minutes > 59)
        {
            return false;
        }

        offset = new TimeSpan(hours, minutes, 0);
        if (s[0] == '-')
        {
            offset = -offset;
        }

        return true;
    }
}

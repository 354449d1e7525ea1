namespace Parser.Worker.Parsing;

/// <summary>How a recognised timestamp was written, where the layout tells more about the line.</summary>
internal enum TimestampShape : byte
{
    /// <summary>A date (or epoch) with a year.</summary>
    Full,
    /// <summary><c>Mmm dd HH:mm:ss</c> without a year, as BSD syslog writes it (a host and a tag follow).</summary>
    MonthNameNoYear,
    /// <summary>A numeric month and day without a year, or a time of day alone.</summary>
    Partial,
}

/// <summary>
/// General timestamp recognisers for the start of a token in a text line: ISO-8601 with <c>T</c>, a space, <c>_</c> or
/// <c>-</c> between date and time and <c>.</c>, <c>,</c> or <c>:</c> before the fraction, with or without a zone;
/// dashed, slashed, dotted and compact dates (<c>yyyy-MM-dd</c>, <c>yyyy/MM/dd</c>, <c>yyyy.MM.dd</c>, <c>yyyyMMdd</c>,
/// <c>yy/MM/dd</c>, <c>yyMMdd HHmmss</c>, <c>MM/dd/yyyy</c>, <c>dd.MM.yyyy</c>); month names (<c>Mmm dd HH:mm:ss [yyyy]</c>
/// with an optional weekday, <c>dd/Mmm/yyyy:HH:mm:ss</c>, <c>dd-Mmm-yyyy HH:mm:ss</c>, <c>dd Mmm yyyy HH:mm:ss</c>,
/// <c>Mmm d, yyyy h:mm:ss AM</c>); month-day forms and times of day without a date (the year, or the day, chosen so that
/// the time is not in the future); epoch seconds or milliseconds between 2000 and a day after the receive time.
/// Results are UTC; a time without a zone is taken as UTC.
/// </summary>
internal static class PrefixTimestamp
{
    private const long EarliestEpochSeconds = 946_684_800; // 2000-01-01

    public static bool TryRead(ReadOnlySpan<byte> s, int start, DateTimeOffset receivedAt, out DateTimeOffset value, out int end, out TimestampShape shape)
    {
        value = default;
        end = start;
        shape = TimestampShape.Full;
        if (start >= s.Length)
        {
            return false;
        }

        return Timestamps.IsDigit(s[start])
            ? TryNumeric(s, start, receivedAt, out value, out end, out shape)
            : IsLetter(s[start]) && TryNamed(s, start, receivedAt, out value, out end, out shape);
    }

    /// <summary>The instant of a date without a year: this year's, or last year's when this year's is more than a day ahead of the receive time.</summary>
    public static bool TryWithoutYear(int month, int day, long timeOfDayTicks, TimeSpan offset, DateTimeOffset receivedAt, out DateTimeOffset value)
    {
        if (!Timestamps.TryCreate(receivedAt.Year, month, day, 0, 0, 0, timeOfDayTicks, offset, out value))
        {
            return false;
        }

        return value <= receivedAt.AddDays(1) || Timestamps.TryCreate(receivedAt.Year - 1, month, day, 0, 0, 0, timeOfDayTicks, offset, out value);
    }

    private static bool TryNumeric(ReadOnlySpan<byte> s, int start, DateTimeOffset receivedAt, out DateTimeOffset value, out int end, out TimestampShape shape)
    {
        value = default;
        end = start;
        shape = TimestampShape.Full;
        var digits = DigitRun(s, start);
        var next = start + digits < s.Length ? s[start + digits] : (byte)0;
        int year, month, day;
        int pos;
        switch (digits)
        {
            case 4 when next is (byte)'-' or (byte)'/' or (byte)'.':
                // yyyy-MM-dd, yyyy/MM/dd, yyyy.MM.dd
                if (!Timestamps.TryDigits(s, start, 4, out year) || !Timestamps.TryDigits(s, start + 5, 2, out month)
                    || start + 7 >= s.Length || s[start + 7] != next || !Timestamps.TryDigits(s, start + 8, 2, out day))
                {
                    return false;
                }

                pos = start + 10;
                break;
            case 8:
                // yyyyMMdd
                if (!Timestamps.TryDigits(s, start, 4, out year) || !Timestamps.TryDigits(s, start + 4, 2, out month) || !Timestamps.TryDigits(s, start + 6, 2, out day))
                {
                    return false;
                }

                pos = start + 8;
                break;
            case 6 when next == ' ' && DigitRun(s, start + 7) == 6:
                // yyMMdd HHmmss
                return TryCompactDateTime(s, start, out value, out end);
            case 10 or 13:
                return TryEpoch(s, start, digits, receivedAt, out value, out end);
            case 2 when next == ':':
                return TryTimeOfDay(s, start, receivedAt, out value, out end, out shape);
            case 1 or 2 when next == ' ' || (next is (byte)'-' or (byte)'/' && start + digits + 4 < s.Length && IsLetter(s[start + digits + 1])):
                return TryDayMonthName(s, start, digits, out value, out end);
            case 2 when next is (byte)'-' or (byte)'/' or (byte)'.':
                return TryShortNumericDate(s, start, next, receivedAt, out value, out end, out shape);
            default:
                return false;
        }

        return TryDateThenTime(s, pos, year, month, day, out value, out end, requireTime: digits == 8);
    }

    /// <summary>After a full date: an optional time (after <c>T</c>, space, <c>_</c>, <c>-</c> or <c>:</c>) and zone.</summary>
    private static bool TryDateThenTime(ReadOnlySpan<byte> s, int pos, int year, int month, int day, out DateTimeOffset value, out int end, bool requireTime = false)
    {
        long time = 0;
        var offset = TimeSpan.Zero;
        end = pos;
        if (pos + 1 < s.Length && s[pos] is (byte)'T' or (byte)'t' or (byte)' ' or (byte)'_' or (byte)'-' or (byte)':'
            && TryTime(s, pos + 1, out time, out var timeEnd))
        {
            end = ReadZone(s, ReadMeridiem(s, timeEnd, ref time), out offset);
        }
        else if (requireTime || (end < s.Length && IsWordByte(s[end])))
        {
            value = default;
            return false;
        }

        return Timestamps.TryCreate(year, month, day, 0, 0, 0, time, offset, out value);
    }

    /// <summary><c>yyMMdd HHmmss</c>.</summary>
    private static bool TryCompactDateTime(ReadOnlySpan<byte> s, int start, out DateTimeOffset value, out int end)
    {
        end = start + 13;
        value = default;
        return Timestamps.TryDigits(s, start, 2, out var year) && Timestamps.TryDigits(s, start + 2, 2, out var month)
            && Timestamps.TryDigits(s, start + 4, 2, out var day) && Timestamps.TryDigits(s, start + 7, 2, out var hour)
            && Timestamps.TryDigits(s, start + 9, 2, out var minute) && Timestamps.TryDigits(s, start + 11, 2, out var second)
            && Timestamps.TryCreate(2000 + year, month, day, hour, minute, second, 0, TimeSpan.Zero, out value);
    }

    /// <summary>Epoch seconds (10 digits, optionally with a fraction) or milliseconds (13 digits) in a plausible range.</summary>
    private static bool TryEpoch(ReadOnlySpan<byte> s, int start, int digits, DateTimeOffset receivedAt, out DateTimeOffset value, out int end)
    {
        value = default;
        end = start + digits;
        if (digits == 10 && end + 1 < s.Length && s[end] == '.' && Timestamps.IsDigit(s[end + 1]))
        {
            end += 1 + DigitRun(s, end + 1);
        }

        if (end < s.Length && s[end] is not ((byte)' ' or (byte)']' or (byte)',' or (byte)'|' or (byte)'\t'))
        {
            return false;
        }

        if (!Timestamps.TryParseEpoch(s[start..end], out value))
        {
            return false;
        }

        return value.ToUnixTimeSeconds() >= EarliestEpochSeconds && value <= receivedAt.AddDays(1);
    }

    /// <summary><c>HH:mm:ss[.fff]</c> alone: the day of the receive time, or the day before when that is more than 12 hours ahead.</summary>
    private static bool TryTimeOfDay(ReadOnlySpan<byte> s, int start, DateTimeOffset receivedAt, out DateTimeOffset value, out int end, out TimestampShape shape)
    {
        value = default;
        shape = TimestampShape.Partial;
        if (!TryTime(s, start, out var time, out end) || (end < s.Length && IsWordByte(s[end])))
        {
            return false;
        }

        end = ReadZone(s, end, out var offset);
        var day = receivedAt.UtcDateTime.Date;
        if (!Timestamps.TryCreate(day.Year, day.Month, day.Day, 0, 0, 0, time, offset, out value))
        {
            return false;
        }

        if (value > receivedAt.AddHours(12))
        {
            value = value.AddDays(-1);
        }

        return true;
    }

    /// <summary><c>yy/MM/dd</c>, <c>MM/dd/yyyy</c> (<c>dd/MM/yyyy</c> when the first part exceeds 12), <c>dd.MM.yyyy</c>, <c>dd-MM-yyyy</c>, or a month and day without a year.</summary>
    private static bool TryShortNumericDate(ReadOnlySpan<byte> s, int start, byte separator, DateTimeOffset receivedAt, out DateTimeOffset value, out int end, out TimestampShape shape)
    {
        value = default;
        end = start;
        shape = TimestampShape.Full;
        if (!Timestamps.TryDigits(s, start, 2, out var first) || !Timestamps.TryDigits(s, start + 3, 2, out var second))
        {
            return false;
        }

        var pos = start + 5;
        if (pos < s.Length && s[pos] == separator)
        {
            var yearDigits = DigitRun(s, pos + 1);
            if (yearDigits == 2 && separator == '/' && Timestamps.TryDigits(s, pos + 1, 2, out var third))
            {
                return TryDateThenTime(s, pos + 3, 2000 + first, second, third, out value, out end);
            }

            if (yearDigits == 4 && Timestamps.TryDigits(s, pos + 1, 4, out var year))
            {
                var monthFirst = separator == '/' && first <= 12;
                return TryDateThenTime(s, pos + 5, year, monthFirst ? first : second, monthFirst ? second : first, out value, out end);
            }

            return false;
        }

        // MM-dd HH:mm:ss, MM.dd HH:mm:ss: no year.
        shape = TimestampShape.Partial;
        if (pos + 1 >= s.Length || s[pos] != ' ' || !TryTime(s, pos + 1, out var time, out end))
        {
            return false;
        }

        end = ReadZone(s, end, out var offset);
        return TryWithoutYear(first, second, time, offset, receivedAt, out value);
    }

    /// <summary><c>dd/Mmm/yyyy:HH:mm:ss Z</c>, <c>dd-Mmm-yyyy HH:mm:ss</c>, <c>dd Mmm yyyy HH:mm:ss</c>.</summary>
    private static bool TryDayMonthName(ReadOnlySpan<byte> s, int start, int dayDigits, out DateTimeOffset value, out int end)
    {
        value = default;
        end = start;
        var pos = start + dayDigits;
        var separator = s[pos];
        if (!Timestamps.TryDigits(s, start, dayDigits, out var day) || pos + 9 >= s.Length || s[pos + 4] != separator)
        {
            return false;
        }

        var month = Timestamps.Month(s.Slice(pos + 1, 3));
        if (month == 0 || DigitRun(s, pos + 5) != 4 || !Timestamps.TryDigits(s, pos + 5, 4, out var year))
        {
            return false;
        }

        return TryDateThenTime(s, pos + 9, year, month, day, out value, out end);
    }

    /// <summary>
    /// <c>[Www ]Mmm dd HH:mm:ss[.fff][ yyyy]</c> (ctime, syslog), <c>Mmm dd yyyy HH:mm:ss</c>, <c>Mmm d, yyyy h:mm:ss AM</c>.
    /// </summary>
    private static bool TryNamed(ReadOnlySpan<byte> s, int start, DateTimeOffset receivedAt, out DateTimeOffset value, out int end, out TimestampShape shape)
    {
        value = default;
        end = start;
        shape = TimestampShape.Full;
        var pos = start;
        if (pos + 4 < s.Length && IsWeekday(s.Slice(pos, 3)) && s[pos + 3] is (byte)' ' or (byte)',')
        {
            pos += s[pos + 3] == ',' ? 5 : 4;
        }

        if (pos + 6 >= s.Length || s[pos + 3] != ' ')
        {
            return false;
        }

        var month = Timestamps.Month(s.Slice(pos, 3));
        if (month == 0)
        {
            return false;
        }

        pos += 4;
        if (s[pos] == ' ')
        {
            pos++;
        }

        var dayDigits = DigitRun(s, pos);
        if (dayDigits is not (1 or 2) || !Timestamps.TryDigits(s, pos, dayDigits, out var day))
        {
            return false;
        }

        pos += dayDigits;
        var year = 0;
        if (pos + 5 < s.Length && s[pos] == ',' && s[pos + 1] == ' ')
        {
            pos++;
        }

        if (pos + 5 < s.Length && s[pos] == ' ' && DigitRun(s, pos + 1) == 4 && s[pos + 5] == ' ')
        {
            Timestamps.TryDigits(s, pos + 1, 4, out year);
            pos += 5;
        }

        if (pos + 1 >= s.Length || s[pos] != ' ' || !TryTime(s, pos + 1, out var time, out end))
        {
            return false;
        }

        end = ReadMeridiem(s, end, ref time);
        if (year == 0 && end + 5 <= s.Length && s[end] == ' ' && DigitRun(s, end + 1) == 4 && (end + 5 == s.Length || !IsWordByte(s[end + 5])))
        {
            Timestamps.TryDigits(s, end + 1, 4, out year);
            end += 5;
        }

        end = ReadZone(s, end, out var offset);
        if (year != 0)
        {
            return Timestamps.TryCreate(year, month, day, 0, 0, 0, time, offset, out value);
        }

        shape = TimestampShape.MonthNameNoYear;
        return TryWithoutYear(month, day, time, offset, receivedAt, out value);
    }

    /// <summary>
    /// <c>H:mm:ss</c> or <c>HH.mm.ss</c> (parts of one or two digits), then an optional fraction after <c>.</c> or <c>,</c>,
    /// or milliseconds after <c>:</c>;
    /// the time of day in ticks.
    /// </summary>
    private static bool TryTime(ReadOnlySpan<byte> s, int pos, out long ticks, out int end)
    {
        ticks = 0;
        end = pos;
        if (!TryPart(s, ref pos, out var hour) || pos >= s.Length || s[pos] is not ((byte)':' or (byte)'.'))
        {
            return false;
        }

        var separator = s[pos++];
        if (!TryPart(s, ref pos, out var minute) || hour > 23 || minute > 59)
        {
            return false;
        }

        var second = 0;
        if (pos + 1 < s.Length && s[pos] == separator && Timestamps.IsDigit(s[pos + 1]))
        {
            pos++;
            if (!TryPart(s, ref pos, out second) || second > 60)
            {
                return false;
            }

            if (pos + 1 < s.Length && s[pos] == ':' && DigitRun(s, pos + 1) is >= 1 and <= 3 && Timestamps.TryDigits(s, pos + 1, DigitRun(s, pos + 1), out var milliseconds))
            {
                // "HH:mm:ss:SSS": milliseconds as a number, written without padding by some.
                ticks = milliseconds * TimeSpan.TicksPerMillisecond;
                pos += 1 + DigitRun(s, pos + 1);
            }
            else if (pos + 1 < s.Length && s[pos] is (byte)'.' or (byte)',' && Timestamps.IsDigit(s[pos + 1]))
            {
                var fractionStart = pos + 1;
                var fractionDigits = DigitRun(s, fractionStart);
                long fraction = 0;
                long scale = TimeSpan.TicksPerSecond;
                for (var i = 0; i < fractionDigits; i++)
                {
                    scale /= 10;
                    fraction += (s[fractionStart + i] - '0') * scale;
                }

                ticks = fraction;
                pos = fractionStart + fractionDigits;
            }
        }
        else if (separator == '.')
        {
            // "12.30" alone is a number, not a time.
            return false;
        }

        ticks += ((hour * 60L + minute) * 60 + second) * TimeSpan.TicksPerSecond;
        end = pos;
        return true;
    }

    private static bool TryPart(ReadOnlySpan<byte> s, ref int pos, out int value)
    {
        var digits = DigitRun(s, pos);
        value = 0;
        if (digits is not (1 or 2) || !Timestamps.TryDigits(s, pos, digits, out value))
        {
            return false;
        }

        pos += digits;
        return true;
    }

    /// <summary>A 12-hour clock's " AM"/" PM" after the time.</summary>
    private static int ReadMeridiem(ReadOnlySpan<byte> s, int pos, ref long ticks)
    {
        if (pos + 3 > s.Length || s[pos] != ' ' || (s[pos + 2] | 0x20) != 'm' || (pos + 3 < s.Length && IsWordByte(s[pos + 3])))
        {
            return pos;
        }

        var halfDay = 12 * TimeSpan.TicksPerHour;
        switch (s[pos + 1] | 0x20)
        {
            case 'a':
                ticks %= halfDay;
                return pos + 3;
            case 'p':
                ticks = (ticks % halfDay) + halfDay;
                return pos + 3;
            default:
                return pos;
        }
    }

    /// <summary><c>Z</c>, <c>±HH[:]mm</c> or <c>±HH</c> right after the time, or <c>UTC</c>, <c>GMT</c>, <c>Z</c>, <c>±HHmm</c> after one space.</summary>
    private static int ReadZone(ReadOnlySpan<byte> s, int pos, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        if (pos >= s.Length)
        {
            return pos;
        }

        var at = s[pos] == ' ' ? pos + 1 : pos;
        if (at >= s.Length)
        {
            return pos;
        }

        var rest = s[at..];
        int length;
        if (rest[0] is (byte)'Z' or (byte)'z')
        {
            length = 1;
        }
        else if (rest.StartsWith("UTC"u8) || rest.StartsWith("GMT"u8))
        {
            length = 3;
        }
        else if (rest[0] is (byte)'+' or (byte)'-' && Timestamps.TryDigits(rest, 1, 2, out var hours) && hours <= 14)
        {
            length = 3;
            var minutes = 0;
            if (rest.Length > 5 && rest[3] == ':' && Timestamps.TryDigits(rest, 4, 2, out minutes))
            {
                length = 6;
            }
            else if (Timestamps.TryDigits(rest, 3, 2, out minutes))
            {
                length = 5;
            }

            if (minutes > 59)
            {
                return pos;
            }

            offset = new TimeSpan(hours, minutes, 0);
            if (rest[0] == '-')
            {
                offset = -offset;
            }
        }
        else
        {
            return pos;
        }

        if (length < rest.Length && IsWordByte(rest[length]))
        {
            offset = TimeSpan.Zero;
            return pos;
        }

        return at + length;
    }

    private static bool IsWeekday(ReadOnlySpan<byte> word)
    {
        var key = (word[0] | 0x20) << 16 | (word[1] | 0x20) << 8 | (word[2] | 0x20);
        var names = "montuewedthufrisatsun"u8;
        for (var i = 0; i < 7; i++)
        {
            if (key == (names[i * 3] << 16 | names[i * 3 + 1] << 8 | names[i * 3 + 2]))
            {
                return true;
            }
        }

        return false;
    }

    private static int DigitRun(ReadOnlySpan<byte> s, int start)
    {
        var i = start;
        while (i < s.Length && Timestamps.IsDigit(s[i]))
        {
            i++;
        }

        return i - start;
    }

    private static bool IsLetter(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';

    private static bool IsWordByte(byte b) => IsLetter(b) || Timestamps.IsDigit(b) || b == '_';
}

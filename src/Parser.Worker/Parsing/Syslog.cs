using System.Text;
using SaasMonitor.Core.Events;

namespace Parser.Worker.Parsing;

/// <summary>
/// The syslog parts of a text line: the <c>&lt;PRI&gt;</c> prefix (facility and severity; the severity sets the level)
/// and the RFC 5424 header after it (<c>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG</c>). An RFC 3164 line after its
/// <c>&lt;PRI&gt;</c> is read like any text line (its <c>Mmm dd HH:mm:ss host tag[pid]:</c> prefix included).
/// </summary>
internal static class Syslog
{
    private static readonly string[] Facilities =
    [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
        "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ];

    /// <summary>
    /// Reads <c>&lt;PRI&gt;</c> (0-191) at the start of <paramref name="line"/>: sets the level from the severity and the
    /// <c>facility</c> field; <paramref name="end"/> is the position after <c>&gt;</c>.
    /// </summary>
    public static bool TryReadPriority(ReadOnlySpan<byte> line, EventBuilder builder, out int end)
    {
        end = 0;
        var close = line.Length > 2 ? line[1..Math.Min(line.Length, 5)].IndexOf((byte)'>') + 1 : 0;
        if (close < 2 || !Timestamps.TryDigits(line, 1, close - 1, out var priority) || priority > 191)
        {
            return false;
        }

        builder.Level = LevelOf(priority % 8);
        builder.AddExtra("facility", Facilities[priority / 8]);
        end = close + 1;
        return true;
    }

    /// <summary>The level of a syslog severity (0 emergency ... 7 debug).</summary>
    public static string LevelOf(int severity) => severity switch
    {
        <= 2 => LogLevels.Critical,
        3 => LogLevels.Error,
        4 => LogLevels.Warning,
        5 or 6 => LogLevels.Info,
        _ => LogLevels.Debug,
    };

    /// <summary>
    /// The RFC 5424 header from <paramref name="start"/> (just after <c>&lt;PRI&gt;</c>): the timestamp, host (server),
    /// app name (service), proc id and msg id (fields <c>proc_id</c>, <c>msg_id</c>), structured data (one field per
    /// parameter) and the message. False, with nothing set, when the line does not start with version 1.
    /// </summary>
    public static bool TryRfc5424(ReadOnlySpan<byte> line, int start, EventBuilder builder)
    {
        var rest = line[start..];
        if (!rest.StartsWith("1 "u8))
        {
            return false;
        }

        rest = rest[2..];
        var timestamp = NextField(ref rest);
        var host = NextField(ref rest);
        var app = NextField(ref rest);
        var procId = NextField(ref rest);
        var msgId = NextField(ref rest);
        if (!IsNil(timestamp))
        {
            builder.SetTimestamp(timestamp);
        }

        if (!IsNil(host))
        {
            builder.Server = builder.Keyword(host);
        }

        if (!IsNil(app))
        {
            builder.Service = builder.Keyword(app);
        }

        if (!IsNil(procId))
        {
            builder.AddExtra("proc_id", builder.Value(procId));
        }

        if (!IsNil(msgId))
        {
            builder.AddExtra("msg_id", builder.Value(msgId));
        }

        rest = ReadStructuredData(rest, builder);
        if (rest.StartsWith("\uFEFF"u8))
        {
            rest = rest[3..];
        }

        builder.Message = Encoding.UTF8.GetString(rest.Trim(" \t"u8));
        return true;
    }

    private static ReadOnlySpan<byte> NextField(ref ReadOnlySpan<byte> rest)
    {
        var space = rest.IndexOf((byte)' ');
        var field = space < 0 ? rest : rest[..space];
        rest = space < 0 ? default : rest[(space + 1)..];
        return field;
    }

    private static bool IsNil(ReadOnlySpan<byte> field) => field.IsEmpty || (field.Length == 1 && field[0] == '-');

    /// <summary><c>-</c> or <c>[id name="value" ...]...</c>: each parameter becomes a field named as the parameter; returns what follows.</summary>
    private static ReadOnlySpan<byte> ReadStructuredData(ReadOnlySpan<byte> rest, EventBuilder builder)
    {
        if (rest.StartsWith("-"u8))
        {
            return rest.Length > 1 ? rest[2..] : default;
        }

        while (rest.Length > 0 && rest[0] == '[')
        {
            var pos = rest.IndexOfAny((byte)' ', (byte)']');
            while (pos > 0 && pos < rest.Length && rest[pos] == ' ')
            {
                pos = ReadParameter(rest, pos + 1, builder);
            }

            if (pos <= 0 || pos >= rest.Length || rest[pos] != ']')
            {
                // Malformed structured data: the rest is the message.
                return rest;
            }

            rest = rest[(pos + 1)..];
        }

        return rest.StartsWith(" "u8) ? rest[1..] : rest;
    }

    /// <summary><c>name="value"</c> at <paramref name="pos"/> (<c>\"</c>, <c>\\</c> and <c>\]</c> escaped); the position after it, or -1.</summary>
    private static int ReadParameter(ReadOnlySpan<byte> s, int pos, EventBuilder builder)
    {
        var equals = s[pos..].IndexOf("=\""u8);
        if (equals <= 0)
        {
            return -1;
        }

        var valueStart = pos + equals + 2;
        var escaped = false;
        for (var i = valueStart; i < s.Length; i++)
        {
            if (s[i] == '\\')
            {
                escaped = true;
                i++;
            }
            else if (s[i] == '"')
            {
                var text = Encoding.UTF8.GetString(s[valueStart..i]);
                builder.AddExtra(builder.Keyword(s.Slice(pos, equals)), escaped ? Unescape(text) : text);
                return i + 1;
            }
        }

        return -1;
    }

    private static string Unescape(string text) => text.Replace("\\\"", "\"", StringComparison.Ordinal)
        .Replace("\\]", "]", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
}

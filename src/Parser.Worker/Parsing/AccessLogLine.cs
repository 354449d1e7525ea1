using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Parser.Worker.Parsing;

/// <summary>
/// Apache/Nginx access log lines, common or combined:
/// <c>client ident user [dd/MMM/yyyy:HH:mm:ss Z] "METHOD target PROTOCOL" status bytes ["referrer" "user agent"] [response time]</c>.
/// A trailing response time is read as microseconds when it is an integer (Apache <c>%D</c>) and as seconds when it
/// has a fraction (Nginx <c>$request_time</c>).
/// </summary>
internal static class AccessLogLine
{
    public const string Service = "web";

    private static readonly SearchValues<byte> Letters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>Fills the builder from the line; returns null on success, else why the line is not an access log line.</summary>
    public static string? TryParse(ReadOnlySpan<byte> line, EventBuilder builder)
    {
        var rest = line;
        var client = NextToken(ref rest);
        var ident = NextToken(ref rest);
        var user = NextToken(ref rest);
        if (client.IsEmpty || user.IsEmpty || rest.IsEmpty || rest[0] != '[')
        {
            return "expected 'client ident user [time]' at the start of the line";
        }

        var close = rest.IndexOf((byte)']');
        if (close < 0 || !Timestamps.TryParseCommonLog(rest[1..close], out var timestamp))
        {
            return "the [time] is not 'dd/MMM/yyyy:HH:mm:ss Z'";
        }

        rest = rest[(close + 1)..].TrimStart((byte)' ');
        if (rest.IsEmpty || rest[0] != '"' || !TryQuoted(ref rest, requireClose: true, out var request))
        {
            return "expected a quoted request \"METHOD target PROTOCOL\" after the time";
        }

        var statusText = NextToken(ref rest);
        if (statusText.Length != 3 || !Utf8Parser.TryParse(statusText, out int status, out _))
        {
            return "expected a three-digit status after the request";
        }

        builder.Timestamp = timestamp;
        builder.StatusCode = status;
        builder.Service = Service;
        builder.ClientIp = builder.Value(client);
        if (!IsDash(user))
        {
            builder.UserId = builder.Value(user);
        }

        if (!IsDash(ident))
        {
            builder.AddExtra("ident", builder.Value(ident));
        }

        ReadRequest(request, builder);
        var bytes = NextToken(ref rest);
        if (!bytes.IsEmpty && !IsDash(bytes))
        {
            builder.AddExtra("bytes", Encoding.UTF8.GetString(bytes));
        }

        ReadQuotedExtra(ref rest, "referrer", builder);
        ReadQuotedExtra(ref rest, "user_agent", builder);
        ReadResponseTime(NextToken(ref rest), builder);
        return null;
    }

    private static void ReadRequest(ReadOnlySpan<byte> request, EventBuilder builder)
    {
        builder.Message = Encoding.UTF8.GetString(request);
        var rest = request;
        var method = NextToken(ref rest);
        var target = NextToken(ref rest);
        if (target.IsEmpty || method.ContainsAnyExcept(Letters))
        {
            return;
        }

        builder.Method = builder.MethodName(method);
        var question = target.IndexOf((byte)'?');
        if (question >= 0)
        {
            builder.AddExtra("query", builder.Value(target[(question + 1)..]));
            target = target[..question];
        }

        builder.Endpoint = builder.Keyword(target);
        var protocol = NextToken(ref rest);
        if (!protocol.IsEmpty)
        {
            builder.AddExtra("protocol", builder.Keyword(protocol));
        }
    }

    private static void ReadQuotedExtra(ref ReadOnlySpan<byte> rest, string key, EventBuilder builder)
    {
        if (rest.IsEmpty || rest[0] != '"' || !TryQuoted(ref rest, requireClose: false, out var value))
        {
            return;
        }

        if (!value.IsEmpty && !IsDash(value))
        {
            builder.AddExtra(key, builder.Value(value));
        }
    }

    private static void ReadResponseTime(ReadOnlySpan<byte> token, EventBuilder builder)
    {
        if (token.IsEmpty || !Utf8Parser.TryParse(token, out double value, out var consumed) || consumed != token.Length)
        {
            return;
        }

        builder.ResponseTimeMs = token.Contains((byte)'.') ? value * 1000 : value / 1000;
    }

    /// <summary>The token up to the next space; moves past it and the spaces after it.</summary>
    private static ReadOnlySpan<byte> NextToken(ref ReadOnlySpan<byte> rest)
    {
        var space = rest.IndexOf((byte)' ');
        var token = space < 0 ? rest : rest[..space];
        rest = space < 0 ? default : rest[(space + 1)..].TrimStart((byte)' ');
        return token;
    }

    /// <summary>
    /// The content of the quoted string <paramref name="rest"/> starts with (backslash escapes skipped over, kept as written).
    /// Without a closing quote the content runs to the end of the line unless <paramref name="requireClose"/>.
    /// </summary>
    private static bool TryQuoted(ref ReadOnlySpan<byte> rest, bool requireClose, out ReadOnlySpan<byte> content)
    {
        var i = 1;
        while (true)
        {
            var next = rest[i..].IndexOfAny((byte)'"', (byte)'\\');
            if (next < 0)
            {
                content = rest[1..];
                rest = default;
                return !requireClose;
            }

            i += next;
            if (rest[i] == '\\')
            {
                i += 2;
                if (i >= rest.Length)
                {
                    content = rest[1..];
                    rest = default;
                    return !requireClose;
                }

                continue;
            }

            content = rest[1..i];
            rest = rest[(i + 1)..].TrimStart((byte)' ');
            return true;
        }
    }

    private static bool IsDash(ReadOnlySpan<byte> value) => value.Length == 1 && value[0] == '-';
}

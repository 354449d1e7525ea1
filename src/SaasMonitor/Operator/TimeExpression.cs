using System.Globalization;

namespace SaasMonitor.Operator;

/// <summary>
/// A point in time on the command line: ISO-8601 (<c>2025-05-01T10:00:00Z</c>, UTC when no offset is given)
/// or a span before now (<c>now-1h</c>, <c>-1h</c>, <c>now-90m</c>, <c>-2d</c>, <c>-30s</c>, <c>now</c>).
/// </summary>
internal static class TimeExpression
{
    public const string Help = "ISO-8601 (2025-05-01T10:00:00Z) or a span before now: now-1h, -1h, -30m, -2d, -45s";

    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset time)
    {
        var span = text.AsSpan().Trim();
        if (span.Equals("now", StringComparison.OrdinalIgnoreCase))
        {
            time = now;
            return true;
        }

        if (span.StartsWith("now", StringComparison.OrdinalIgnoreCase))
        {
            span = span[3..];
        }

        if (span.Length > 2 && span[0] == '-' && TryParseSpan(span[1..], out var before))
        {
            time = now - before;
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }

    /// <summary>A span such as 30s, 90m, 12h or 30d.</summary>
    public static bool TryParseSpan(ReadOnlySpan<char> span, out TimeSpan value)
    {
        value = default;
        if (!long.TryParse(span[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        value = char.ToLowerInvariant(span[^1]) switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            _ => TimeSpan.MinValue,
        };
        return value != TimeSpan.MinValue;
    }
}

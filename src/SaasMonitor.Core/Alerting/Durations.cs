using System.Globalization;

namespace SaasMonitor.Core.Alerting;

/// <summary>Durations as rules write them: 30s, 5m, 2h, 1d (0 or 0s for none); several parts add up (1h30m).</summary>
public static class Durations
{
    public static TimeSpan Parse(string? text, string name)
    {
        var s = (text ?? "").Trim();
        if (s is "0")
        {
            return TimeSpan.Zero;
        }

        var total = TimeSpan.Zero;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == start || i == s.Length || !long.TryParse(s.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 100_000)
            {
                throw Invalid(text, name);
            }

            total += s[i++] switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                'd' => TimeSpan.FromDays(n),
                _ => throw Invalid(text, name),
            };
        }

        return s.Length == 0 ? throw Invalid(text, name) : total;
    }

    /// <summary>The shortest form <see cref="Parse"/> reads back: 90s → 1m30s.</summary>
    public static string Format(TimeSpan span)
    {
        if (span <= TimeSpan.Zero)
        {
            return "0s";
        }

        var parts = new System.Text.StringBuilder();
        Append(parts, span.Days, 'd');
        Append(parts, span.Hours, 'h');
        Append(parts, span.Minutes, 'm');
        Append(parts, span.Seconds, 's');
        return parts.ToString();
    }

    private static void Append(System.Text.StringBuilder parts, int n, char unit)
    {
        if (n > 0)
        {
            parts.Append(n.ToString(CultureInfo.InvariantCulture)).Append(unit);
        }
    }

    private static InvalidAlertException Invalid(string? text, string name) =>
        new($"'{name}' must be a duration such as 30s, 5m, 2h or 1d; got '{text}'.");
}

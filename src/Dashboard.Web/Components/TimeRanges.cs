namespace Dashboard.Web.Components;

/// <summary>The time-range presets of the dashboard's pages, in the form the search page's address takes (now-24h).</summary>
internal static class TimeRanges
{
    public static readonly IReadOnlyList<(string Value, string Label, TimeSpan Span)> Presets =
    [
        ("now-15m", "Last 15 minutes", TimeSpan.FromMinutes(15)),
        ("now-1h", "Last hour", TimeSpan.FromHours(1)),
        ("now-24h", "Last 24 hours", TimeSpan.FromHours(24)),
        ("now-7d", "Last 7 days", TimeSpan.FromDays(7)),
        ("now-30d", "Last 30 days", TimeSpan.FromDays(30)),
    ];
}

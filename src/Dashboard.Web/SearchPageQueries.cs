using SaasMonitor.Core.Events;
using SaasMonitor.Core.Search;

namespace Dashboard.Web;

/// <summary>
/// What the search page asks the search store: pages of hits (a cursor walks past 10,000), the histogram over the range, the top values of the keyword fields, and the events around one.
/// </summary>
internal static class SearchPageQueries
{
    /// <summary>Hits on the first page: enough to fill the screen quickly.</summary>
    public const int FirstPageSize = 200;

    /// <summary>Hits each "load more" adds.</summary>
    public const int NextPageSize = SearchRequest.MaxSize;

    /// <summary>The fields whose top values sit beside the histogram.</summary>
    public static readonly IReadOnlyList<string> TopValueFields = [LogFields.Level, LogFields.Service, LogFields.Endpoint];

    /// <summary>The fields a query can name.</summary>
    public static readonly IReadOnlyList<string> SearchableFields =
        [LogFields.Level, LogFields.Service, LogFields.Server, LogFields.Endpoint, LogFields.Method, LogFields.StatusCode, LogFields.ResponseTimeMs,
         LogFields.Message, LogFields.ClientIp, LogFields.UserId, LogFields.TenantId, LogFields.TraceId, LogFields.Source, LogFields.FileId, LogFields.Timestamp];

    /// <summary>The fields whose values are offered as completions: those matched exactly.</summary>
    private static readonly IReadOnlyList<string> ValueFields = [.. LogFields.Keywords, LogFields.StatusCode];

    private static readonly (TimeSpan Interval, string Label)[] Intervals =
    [
        (TimeSpan.FromSeconds(1), "second"), (TimeSpan.FromSeconds(10), "10 seconds"), (TimeSpan.FromSeconds(30), "30 seconds"),
        (TimeSpan.FromMinutes(1), "minute"), (TimeSpan.FromMinutes(5), "5 minutes"), (TimeSpan.FromMinutes(10), "10 minutes"),
        (TimeSpan.FromMinutes(30), "30 minutes"), (TimeSpan.FromHours(1), "hour"), (TimeSpan.FromHours(3), "3 hours"),
        (TimeSpan.FromHours(12), "12 hours"), (TimeSpan.FromDays(1), "day"), (TimeSpan.FromDays(7), "week"),
    ];

    /// <summary>The first page of hits (no cursor) or the page after <paramref name="cursor"/>.</summary>
    public static Task<SearchPage> HitsAsync(ISearchStore store, SearchQuery query, string? cursor, CancellationToken ct) =>
        store.SearchAsync(new SearchRequest(query) { Size = cursor is null ? FirstPageSize : NextPageSize, After = cursor }, ct);

    /// <summary>
    /// What sits above the hits: the histogram over the query's range (from the oldest match when it has no start, up
    /// to now when it has no end) and the top values, for a query that matches something.
    /// </summary>
    public static async Task<(Histogram Histogram, IReadOnlyList<(string Field, IReadOnlyList<TermCount> Values)> TopValues)> OverviewAsync(
        ISearchStore store, SearchQuery query, DateTimeOffset now, CancellationToken ct)
    {
        var from = query.From
            ?? ((await store.SearchAsync(new SearchRequest(query) { Sort = SearchSort.OldestFirst, Size = 1 }, ct).ConfigureAwait(false)).Hits is [var oldest, ..] ? oldest.Timestamp : now);
        // The histogram and the top values read the index independently: asked on separate threads (the embedded store
        // answers synchronously), the page waits for the slowest of them rather than for their sum.
        var histogram = Task.Run(() => HistogramAsync(store, query, from, query.To ?? now, ct), ct);
        var topValues = TopValuesAsync(store, query, ct);
        return (await histogram.ConfigureAwait(false), await topValues.ConfigureAwait(false));
    }

    /// <summary>
    /// Matching events per interval from <paramref name="from"/> to <paramref name="to"/>, empty intervals included,
    /// so that a position across the chart is a position in time. The interval gives at most 80 bars.
    /// </summary>
    public static async Task<Histogram> HistogramAsync(ISearchStore store, SearchQuery query, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var span = to - from;
        var (interval, label) = Intervals.FirstOrDefault(i => span / i.Interval <= 80, Intervals[^1]);
        var counts = (await store.DateHistogramAsync(query, interval, ct).ConfigureAwait(false)).ToDictionary(b => b.Start, b => b.Count);
        var first = Floor(from, interval);
        var buckets = new List<TimeBucket>();
        for (var start = first; start < to; start += interval)
        {
            buckets.Add(new TimeBucket(start, counts.GetValueOrDefault(start)));
        }

        return new Histogram(buckets, interval, label);
    }

    /// <summary>The most frequent values of <see cref="TopValueFields"/> among the matching events.</summary>
    public static async Task<IReadOnlyList<(string Field, IReadOnlyList<TermCount> Values)>> TopValuesAsync(ISearchStore store, SearchQuery query, CancellationToken ct)
    {
        var counts = await Task.WhenAll(TopValueFields.Select(field => Task.Run(() => store.TermsAsync(query, field, 5, ct), ct))).ConfigureAwait(false);
        return [.. TopValueFields.Zip(counts).Where(f => f.Second.Count > 0)];
    }

    /// <summary>
    /// The events around <paramref name="e"/> from the same source and server: up to <paramref name="count"/> before
    /// and after it by time, oldest first, the event itself among them.
    /// </summary>
    public static async Task<IReadOnlyList<LogEvent>> SurroundingAsync(ISearchStore store, LogEvent e, int count, CancellationToken ct)
    {
        var same = new SearchQuery
        {
            Text = e.Source is { Length: > 0 } source ? Term(LogFields.Source, source) : null,
            Servers = e.Server is { Length: > 0 } server ? [server] : null,
        };
        var before = await store.SearchAsync(new SearchRequest(same with { To = e.Timestamp }) { Size = count }, ct).ConfigureAwait(false);
        var after = await store.SearchAsync(new SearchRequest(same with { From = e.Timestamp }) { Sort = SearchSort.OldestFirst, Size = count + 1 }, ct).ConfigureAwait(false);
        return [.. before.Hits.Reverse(), e, .. after.Hits.Where(a => a.Id != e.Id).Take(count)];
    }

    /// <summary>
    /// Completions of the query's last word: field names for a start of a name, and for <c>field:</c> (a keyword
    /// field, or the status code) its most frequent values in <paramref name="range"/> that start as typed. Each is
    /// the whole query with its last word completed.
    /// </summary>
    public static async Task<IReadOnlyList<string>> CompletionsAsync(ISearchStore store, SearchQuery range, string text, CancellationToken ct)
    {
        var start = text.AsSpan().LastIndexOfAny(" (") + 1;
        var word = text[start..].TrimStart('+', '-', '!');
        var head = text[..^word.Length];
        if (word.Length == 0)
        {
            return [];
        }

        if (word.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
        {
            var field = word[..colon];
            var typed = word[(colon + 1)..].TrimStart('"');
            if (!ValueFields.Contains(field))
            {
                return [];
            }

            var values = await store.TermsAsync(range, field, 50, ct).ConfigureAwait(false);
            return [.. values.Where(v => v.Term.StartsWith(typed, StringComparison.OrdinalIgnoreCase)).Take(10).Select(v => head + Term(field, v.Term) + " ")];
        }

        return [.. SearchableFields.Where(f => f.StartsWith(word, StringComparison.OrdinalIgnoreCase) && f != word).Select(f => head + f + ":")];
    }

    /// <summary>The event's searchable fields that have a value (the extra fields are shown apart: they cannot be searched).</summary>
    public static IEnumerable<(string Name, string Value)> Fields(LogEvent e)
    {
        (string, string?)[] fields =
        [
            (LogFields.Timestamp, e.Timestamp.ToString("O")), (LogFields.Level, e.Level), (LogFields.Message, e.Message), (LogFields.Service, e.Service),
            (LogFields.Server, e.Server), (LogFields.Endpoint, e.Endpoint), (LogFields.Method, e.Method), (LogFields.StatusCode, e.StatusCode?.ToString()),
            (LogFields.ResponseTimeMs, e.ResponseTimeMs?.ToString()), (LogFields.ClientIp, e.ClientIp), (LogFields.UserId, e.UserId),
            (LogFields.TenantId, e.TenantId), (LogFields.TraceId, e.TraceId), (LogFields.Source, e.Source), (LogFields.FileId, e.FileId),
        ];
        foreach (var (name, value) in fields)
        {
            if (!string.IsNullOrEmpty(value))
            {
                yield return (name, value);
            }
        }
    }

    /// <summary>A query term that matches <paramref name="value"/> exactly in <paramref name="field"/>, quoted and escaped.</summary>
    public static string Term(string field, string value) =>
        $"{field}:\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";

    private static DateTimeOffset Floor(DateTimeOffset t, TimeSpan interval)
    {
        var ms = (long)interval.TotalMilliseconds;
        var at = t.ToUnixTimeMilliseconds();
        return DateTimeOffset.FromUnixTimeMilliseconds(at - (((at % ms) + ms) % ms));
    }
}

/// <summary>Counts per interval, oldest first, every interval of the range present.</summary>
internal sealed record Histogram(IReadOnlyList<TimeBucket> Buckets, TimeSpan Interval, string IntervalLabel);

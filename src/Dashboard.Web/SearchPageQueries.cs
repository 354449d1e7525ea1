using SaasMonitor.Core.Events;
using SaasMonitor.Core.Search;

namespace Dashboard.Web;

/// <summary>
/// What the search page asks the search store: pages of hits (a cursor walks past 10,000), the top values of the keyword fields, and the events around one.
/// </summary>
internal static class SearchPageQueries
{
    /// <summary>Hits on the first page: enough to fill the screen quickly.</summary>
    public const int FirstPageSize = 200;

    /// <summary>Hits each "load more" adds.</summary>
    public const int NextPageSize = SearchRequest.MaxSize;

    /// <summary>The fields whose top values sit beside the histogram.</summary>
    public static readonly IReadOnlyList<string> TopValueFields = [LogFields.Level, LogFields.Service, LogFields.Endpoint];

    /// <summary>The first page of hits (no cursor) or the page after <paramref name="cursor"/>.</summary>
    public static Task<SearchPage> HitsAsync(ISearchStore store, SearchQuery query, string? cursor, CancellationToken ct) =>
        store.SearchAsync(new SearchRequest(query) { Size = cursor is null ? FirstPageSize : NextPageSize, After = cursor }, ct);

    /// <summary>The most frequent values of <see cref="TopValueFields"/> among the matching events.</summary>
    public static async Task<IReadOnlyList<(string Field, IReadOnlyList<TermCount> Values)>> TopValuesAsync(ISearchStore store, SearchQuery query, CancellationToken ct)
    {
        var top = new List<(string, IReadOnlyList<TermCount>)>();
        foreach (var field in TopValueFields)
        {
            if (await store.TermsAsync(query, field, 5, ct).ConfigureAwait(false) is { Count: > 0 } values)
            {
                top.Add((field, values));
            }
        }

        return top;
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

    /// <summary>A query term that matches <paramref name="value"/> exactly in <paramref name="field"/>, quoted and escaped.</summary>
    public static string Term(string field, string value) =>
        $"{field}:\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
}

using Dashboard.Web;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Search;
using SaasMonitor.Embedded.Search;
using SaasMonitor.Tests.Search;

namespace SaasMonitor.Tests.Dashboard;

/// <summary>The search page's queries against the embedded index.</summary>
public sealed class SearchPageQueriesTests : IDisposable
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TempIndexFolder _folder = new();
    private readonly LuceneSearchStore _store;

    public SearchPageQueriesTests() => _store = new LuceneSearchStore(new LuceneSearchOptions { Directory = _folder.Path });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _store.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task Surrounding_events_are_the_ones_just_before_and_after_from_the_same_source_and_server_oldest_first()
    {
        // One event a second on web-1 from the shipper, with the same seconds taken by another server and another source.
        var events = Enumerable.Range(0, 20).SelectMany(i => new[]
        {
            Event($"a{i:D2}", i, "shipper", "web-1"),
            Event($"b{i:D2}", i, "shipper", "web-2"),
            Event($"c{i:D2}", i, "upload", "web-1"),
        }).ToList();
        await _store.UpsertAsync(events, Ct);
        await _store.FlushAsync(Ct);
        var middle = events.Single(e => e.Id == "a10");

        var around = await SearchPageQueries.SurroundingAsync(_store, middle, 3, Ct);

        around.Select(e => e.Id).Should().Equal("a07", "a08", "a09", "a10", "a11", "a12", "a13");
    }

    [Fact]
    public async Task Surrounding_events_near_the_edges_are_fewer_and_an_event_without_a_source_or_server_is_matched_by_time_alone()
    {
        var events = Enumerable.Range(0, 4).Select(i => Event($"e{i}", i, null, null)).ToList();
        await _store.UpsertAsync(events, Ct);
        await _store.FlushAsync(Ct);

        (await SearchPageQueries.SurroundingAsync(_store, events[0], 2, Ct)).Select(e => e.Id).Should().Equal("e0", "e1", "e2");
        (await SearchPageQueries.SurroundingAsync(_store, events[3], 2, Ct)).Select(e => e.Id).Should().Equal("e1", "e2", "e3");
    }

    [Fact]
    public async Task The_pages_of_hits_walk_past_the_first_10000_newest_first_without_gaps_or_repeats()
    {
        const int total = SearchRequest.MaxFromPlusSize + 150;
        await _store.UpsertAsync([.. Enumerable.Range(0, total).Select(i => Event($"e{i:D5}", i, "shipper", "web-1"))], Ct);
        await _store.FlushAsync(Ct);

        var first = await SearchPageQueries.HitsAsync(_store, new SearchQuery(), null, Ct);
        var hits = first.Hits.ToList();
        var page = first;
        while (page.NextCursor is not null)
        {
            page = await SearchPageQueries.HitsAsync(_store, new SearchQuery(), page.NextCursor, Ct);
            page.Hits.Count.Should().BeLessThanOrEqualTo(SearchPageQueries.NextPageSize);
            hits.AddRange(page.Hits);
        }

        first.Hits.Should().HaveCount(SearchPageQueries.FirstPageSize);
        hits.Select(e => e.Id).Should().Equal(Enumerable.Range(0, total).Reverse().Select(i => $"e{i:D5}"));
    }

    [Fact]
    public async Task The_histogram_has_a_bar_for_every_interval_of_the_range_empty_ones_included()
    {
        await _store.UpsertAsync([Event("a", 0, null, null), Event("b", 1, null, null), Event("c", 3599, null, null)], Ct);
        await _store.FlushAsync(Ct);

        var histogram = await SearchPageQueries.HistogramAsync(_store, new SearchQuery(), Noon.AddSeconds(20), Noon.AddHours(1), Ct);

        histogram.Interval.Should().Be(TimeSpan.FromMinutes(1), "the smallest interval that gives at most 80 bars");
        histogram.Buckets.Should().HaveCount(60);
        histogram.Buckets[0].Should().Be(new TimeBucket(Noon, 2), "intervals start on whole minutes");
        histogram.Buckets[^1].Should().Be(new TimeBucket(Noon.AddMinutes(59), 1));
        histogram.Buckets.Sum(b => b.Count).Should().Be(3);
    }

    [Theory]
    [InlineData("lev", new[] { "level:" })]
    [InlineData("level:ERROR AND (ser", new[] { "level:ERROR AND (service:", "level:ERROR AND (server:" })]
    [InlineData("service:", new[] { "service:\"billing\" ", "service:\"web\" " })]
    [InlineData("level:ERROR AND NOT service:\"b", new[] { "level:ERROR AND NOT service:\"billing\" " })]
    [InlineData("-service:W", new[] { "-service:\"web\" " })]
    [InlineData("message:ti", new string[0])]
    [InlineData("level:ERROR ", new string[0])]
    [InlineData("", new string[0])]
    public async Task Completions_offer_field_names_and_the_top_values_of_keyword_fields_for_the_last_word(string text, string[] completions)
    {
        await _store.UpsertAsync([Event("a", 0, null, null) with { Service = "billing" }, Event("b", 1, null, null) with { Service = "billing" }, Event("c", 2, null, null) with { Service = "web" }], Ct);
        await _store.FlushAsync(Ct);

        (await SearchPageQueries.CompletionsAsync(_store, new SearchQuery(), text, Ct)).Should().Equal(completions);
    }

    [Fact]
    public async Task A_term_with_quotes_and_backslashes_matches_its_value_exactly()
    {
        const string source = "odd \"name\" \\ here";
        await _store.UpsertAsync([Event("x", 0, source, "web-1"), Event("y", 0, "odd", "web-1")], Ct);
        await _store.FlushAsync(Ct);

        var page = await _store.SearchAsync(new SearchRequest(new SearchQuery { Text = SearchPageQueries.Term(LogFields.Source, source) }), Ct);

        page.Hits.Select(e => e.Id).Should().Equal("x");
    }

    [Fact]
    public async Task Every_field_value_the_event_drawer_offers_as_a_filter_matches_that_event_and_its_exclusion_does_not()
    {
        var full = new LogEvent
        {
            Id = "full",
            Timestamp = Noon.AddMilliseconds(1234.5678),
            Level = LogLevels.Error,
            Message = "payment \"declined\" for card: 4242",
            Service = "billing",
            Server = "web-1",
            Endpoint = "/api/orders/{id}",
            Method = "POST",
            StatusCode = 502,
            ResponseTimeMs = 1234.56,
            ClientIp = "10.0.0.7",
            UserId = "u-17",
            TenantId = "acme",
            TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
            Source = "shipper",
            FileId = "f-1",
        };
        var other = new LogEvent { Id = "other", Timestamp = Noon.AddSeconds(5), Level = LogLevels.Info, Message = "fine", StatusCode = 200, ResponseTimeMs = 3 };
        await _store.UpsertAsync([full, other], Ct);
        await _store.FlushAsync(Ct);

        var failures = new List<string>();
        foreach (var (name, value) in SearchPageQueries.Fields(full))
        {
            var term = SearchPageQueries.Term(name, value);
            var with = await _store.SearchAsync(new SearchRequest(new SearchQuery { Text = term }), Ct);
            var without = await _store.SearchAsync(new SearchRequest(new SearchQuery { Text = "* AND NOT " + term }), Ct);
            if (!with.Hits.Any(e => e.Id == "full") || without.Hits.Any(e => e.Id == "full"))
            {
                failures.Add(term);
            }
        }

        failures.Should().BeEmpty("each filter matches the event and its exclusion does not");
    }

    private static LogEvent Event(string id, int second, string? source, string? server) => new()
    {
        Id = id,
        Timestamp = Noon.AddSeconds(second),
        Level = LogLevels.Info,
        Message = "event " + id,
        Source = source,
        Server = server,
    };
}

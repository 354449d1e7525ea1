using SaasMonitor.Core.Events;
using SaasMonitor.Core.Search;
using static SaasMonitor.Tests.Conformance.SearchTestEvents;

namespace SaasMonitor.Tests.Conformance;

/// <summary>
/// What every <see cref="ISearchStore"/> adapter must do, with the same results: the embedded Lucene.NET index
/// and Elasticsearch each run this suite through a fixture that creates a fresh, empty store.
/// </summary>
public abstract class SearchStoreConformanceTests
{
    private static readonly TimeSpan VisibilityDeadline = TimeSpan.FromSeconds(5);

    /// <summary>A new, empty store; the fixture disposes it after the test.</summary>
    protected abstract Task<ISearchStore> CreateStoreAsync();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fresh store holding <paramref name="events"/>, flushed.</summary>
    protected async Task<ISearchStore> StoreWithAsync(IReadOnlyList<LogEvent> events)
    {
        var store = await CreateStoreAsync();
        await store.UpsertAsync(events, Ct);
        await store.FlushAsync(Ct);
        return store;
    }

    protected static async Task<string[]> IdsAsync(ISearchStore store, SearchQuery query, SearchSort sort = SearchSort.NewestFirst)
    {
        var page = await store.SearchAsync(new SearchRequest(query) { Sort = sort, Size = SearchRequest.MaxSize }, Ct);
        return [.. page.Hits.Select(h => h.Id)];
    }

    protected static Task<string[]> IdsAsync(ISearchStore store, string text) => IdsAsync(store, new SearchQuery { Text = text });

    [Fact]
    public async Task Upserted_events_are_searchable_after_flush()
    {
        var store = await StoreWithAsync(Catalogue());

        var page = await store.SearchAsync(new SearchRequest(new SearchQuery()), Ct);

        page.Total.Should().Be(6);
        page.Hits.Select(h => h.Id).Should().BeEquivalentTo("e1", "e2", "e3", "e4", "e5", "e6");
    }

    [Fact]
    public async Task Upserted_events_become_searchable_without_flush()
    {
        var store = await CreateStoreAsync();
        await store.UpsertAsync(Catalogue(), Ct);

        var deadline = DateTime.UtcNow + VisibilityDeadline;
        long count;
        while ((count = await store.CountAsync(new SearchQuery(), Ct)) < 6 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        count.Should().Be(6, "upserts must become visible within about a second without a flush");
    }

    [Fact]
    public async Task An_empty_store_finds_nothing()
    {
        var store = await CreateStoreAsync();

        var page = await store.SearchAsync(new SearchRequest(new SearchQuery { Text = "timeout" }), Ct);

        page.Total.Should().Be(0);
        page.Hits.Should().BeEmpty();
        page.NextCursor.Should().BeNull();
        (await store.TermsAsync(new SearchQuery(), LogFields.Level, 5, Ct)).Should().BeEmpty();
        (await store.DateHistogramAsync(new SearchQuery(), TimeSpan.FromHours(1), Ct)).Should().BeEmpty();
        (await store.GetAsync("e1", Ct)).Should().BeNull();
    }

    [Fact]
    public async Task Searches_run_while_events_are_being_upserted()
    {
        var store = await CreateStoreAsync();
        var events = Many(10_000, Day1, TimeSpan.FromSeconds(1));
        var writing = Task.Run(async () =>
        {
            foreach (var batch in events.Chunk(500))
            {
                await store.UpsertAsync(batch, Ct);
            }

            await store.FlushAsync(Ct);
        }, Ct);
        var searched = new List<long>();
        while (!writing.IsCompleted)
        {
            var page = await store.SearchAsync(new SearchRequest(new SearchQuery { Text = "status_code:[500 TO 599]" }) { Size = 10 }, Ct);
            page.Hits.Where(h => h.StatusCode != 500).Should().BeEmpty();
            searched.Add(page.Total);
        }

        await writing;

        searched.Should().BeInAscendingOrder("an event once visible stays visible");
        (await store.CountAsync(new SearchQuery(), Ct)).Should().Be(10_000);
    }

    [Fact]
    public async Task Upserting_the_same_id_twice_keeps_one_event_with_the_newer_content()
    {
        var store = await StoreWithAsync(Catalogue());
        var changed = Catalogue()[1] with { Message = "Database timeout resolved after retry", Level = LogLevels.Warning };

        await store.UpsertAsync([changed], Ct);
        await store.FlushAsync(Ct);

        (await store.CountAsync(new SearchQuery(), Ct)).Should().Be(6);
        (await store.GetAsync("e2", Ct)).Should().BeEquivalentTo(changed);
        (await IdsAsync(store, "retry")).Should().Equal("e2");
        (await IdsAsync(store, "level:ERROR")).Should().Equal("e4");
    }

    [Fact]
    public async Task Get_returns_the_whole_event_or_null()
    {
        var store = await StoreWithAsync(Catalogue());

        (await store.GetAsync("e2", Ct)).Should().BeEquivalentTo(Catalogue()[1]);
        (await store.GetAsync("missing", Ct)).Should().BeNull();
    }

    public static TheoryData<string, string[]> StructuredFilters => new()
    {
        { "levels", ["e2", "e4", "e5"] },
        { "services", ["e4"] },
        { "endpoints", ["e1", "e2"] },
        { "servers", ["e2", "e5"] },
        { "status classes", ["e2", "e3", "e5"] },
        { "file id", ["e5", "e6"] },
        { "levels and servers", ["e2", "e5"] },
        { "level in lower case", ["e2", "e4"] },
    };

    [Theory]
    [MemberData(nameof(StructuredFilters))]
    public async Task Each_structured_filter_matches_any_of_its_values(string filter, string[] expected)
    {
        var store = await StoreWithAsync(Catalogue());
        var query = filter switch
        {
            "levels" => new SearchQuery { Levels = [LogLevels.Error, LogLevels.Critical] },
            "services" => new SearchQuery { Services = ["database"] },
            "endpoints" => new SearchQuery { Endpoints = ["/api/users"] },
            "servers" => new SearchQuery { Servers = ["web-02"] },
            "status classes" => new SearchQuery { StatusClasses = [4, 5] },
            "file id" => new SearchQuery { FileId = "file-1" },
            "levels and servers" => new SearchQuery { Levels = [LogLevels.Error, LogLevels.Critical], Servers = ["web-02"] },
            "level in lower case" => new SearchQuery { Levels = ["error"] },
            _ => throw new ArgumentOutOfRangeException(nameof(filter), filter, null),
        };

        (await IdsAsync(store, query, SearchSort.OldestFirst)).Should().Equal(expected);
    }

    [Fact]
    public async Task Text_and_filters_must_all_match()
    {
        var store = await StoreWithAsync(Catalogue());

        var ids = await IdsAsync(store, new SearchQuery { Text = "timeout", Levels = [LogLevels.Critical] });

        ids.Should().Equal("e5");
    }

    [Theory]
    [InlineData("level:ERROR AND endpoint:\"/api/users\"", new[] { "e2" })]
    [InlineData("endpoint:/api/users", new[] { "e1", "e2" })]
    [InlineData("message:timeout", new[] { "e2", "e5" })]
    [InlineData("timeout", new[] { "e2", "e5" })]
    [InlineData("refused", new[] { "e4" })]
    [InlineData("db-01", new[] { "e4" })]
    [InlineData("/login", new[] { "e3" })]
    [InlineData("\"database timeout\"", new[] { "e2" })]
    [InlineData("\"timeout database\"", new string[0])]
    [InlineData("message:time*", new[] { "e2", "e5" })]
    [InlineData("endpoint:/api/users*", new[] { "e1", "e2", "e6" })]
    [InlineData("NOT level:DEBUG", new[] { "e1", "e2", "e3", "e4", "e5" })]
    [InlineData("timeout NOT level:CRITICAL", new[] { "e2" })]
    [InlineData("timeout AND -server:web-02", new string[0])]
    [InlineData("level:error", new[] { "e2", "e4" })]
    [InlineData("level:(ERROR OR CRITICAL) AND service:api", new[] { "e2", "e5" })]
    [InlineData("status_code:404", new[] { "e3" })]
    [InlineData("status_code:[500 TO 599]", new[] { "e2", "e5" })]
    [InlineData("status_code:[400 TO 500}", new[] { "e3" })]
    [InlineData("response_time_ms:[1000 TO *]", new[] { "e2", "e5" })]
    [InlineData("response_time_ms:{45 TO 1500]", new[] { "e2" })]
    [InlineData("@timestamp:[\"2024-03-10T10:05:00Z\" TO \"2024-03-10T10:15:00Z\"}", new[] { "e2", "e3" })]
    [InlineData("trace_id:trace-2", new[] { "e2" })]
    [InlineData("", new[] { "e1", "e2", "e3", "e4", "e5", "e6" })]
    [InlineData("   ", new[] { "e1", "e2", "e3", "e4", "e5", "e6" })]
    public async Task Lucene_syntax_matches_the_expected_events(string text, string[] expected)
    {
        var store = await StoreWithAsync(Catalogue());

        var ids = await IdsAsync(store, new SearchQuery { Text = text }, SearchSort.OldestFirst);

        ids.Should().Equal(expected);
    }

    [Theory]
    [InlineData("level:(ERROR")]
    [InlineData("AND")]
    [InlineData("\"unclosed phrase")]
    [InlineData("status_code:[500 TO")]
    [InlineData("response_time_ms:[slow TO *]")]
    [InlineData("@timestamp:[yesterday TO *]")]
    public async Task Invalid_syntax_is_an_invalid_query(string text)
    {
        var store = await StoreWithAsync(Catalogue());

        var search = () => store.SearchAsync(new SearchRequest(new SearchQuery { Text = text }), Ct);
        var count = () => store.CountAsync(new SearchQuery { Text = text }, Ct);

        (await search.Should().ThrowAsync<InvalidQueryException>()).Which.Message.Should().NotBeNullOrWhiteSpace();
        await count.Should().ThrowAsync<InvalidQueryException>();
    }

    [Fact]
    public async Task The_time_range_includes_From_and_excludes_To()
    {
        var store = await StoreWithAsync(Catalogue());
        var at = Day1.AddHours(10);

        var ids = await IdsAsync(store, new SearchQuery { From = at.AddMinutes(5), To = at.AddMinutes(15) }, SearchSort.OldestFirst);

        ids.Should().Equal("e2", "e3");
    }

    [Theory]
    [InlineData(SearchSort.NewestFirst, new[] { "e6", "e5", "e4", "e3", "e2", "e1" })]
    [InlineData(SearchSort.OldestFirst, new[] { "e1", "e2", "e3", "e4", "e5", "e6" })]
    [InlineData(SearchSort.SlowestFirst, new[] { "e5", "e2", "e1", "e3", "e6", "e4" })]
    public async Task Hits_come_in_the_requested_order(SearchSort sort, string[] expected)
    {
        var store = await StoreWithAsync(Catalogue());

        (await IdsAsync(store, new SearchQuery(), sort)).Should().Equal(expected);
    }

    [Fact]
    public async Task Events_with_the_same_time_are_ordered_by_id()
    {
        var store = await StoreWithAsync(Many(4, Day1, TimeSpan.Zero));

        (await IdsAsync(store, new SearchQuery())).Should().Equal("ev-000003", "ev-000002", "ev-000001", "ev-000000");
        (await IdsAsync(store, new SearchQuery(), SearchSort.OldestFirst)).Should().Equal("ev-000000", "ev-000001", "ev-000002", "ev-000003");
    }

    [Fact]
    public async Task From_and_Size_select_a_page_and_Total_counts_every_match()
    {
        var store = await StoreWithAsync(Catalogue());

        var page = await store.SearchAsync(new SearchRequest(new SearchQuery()) { From = 2, Size = 2 }, Ct);
        var last = await store.SearchAsync(new SearchRequest(new SearchQuery()) { From = 4, Size = 2 }, Ct);
        var errors = await store.SearchAsync(new SearchRequest(new SearchQuery { Text = "level:ERROR" }) { Size = 1 }, Ct);

        page.Hits.Select(h => h.Id).Should().Equal("e4", "e3");
        page.Total.Should().Be(6);
        page.NextCursor.Should().NotBeNull();
        last.Hits.Select(h => h.Id).Should().Equal("e2", "e1");
        last.NextCursor.Should().BeNull("it is the last page");
        errors.Total.Should().Be(2);
        errors.Hits.Should().ContainSingle().Which.Id.Should().Be("e4");
    }

    [Fact]
    public async Task Size_zero_returns_only_the_total()
    {
        var store = await StoreWithAsync(Catalogue());

        var page = await store.SearchAsync(new SearchRequest(new SearchQuery { Text = "timeout" }) { Size = 0 }, Ct);

        page.Total.Should().Be(2);
        page.Hits.Should().BeEmpty();
        page.NextCursor.Should().BeNull();
    }

    [Theory]
    [InlineData(0, SearchRequest.MaxSize + 1)]
    [InlineData(-1, 10)]
    [InlineData(SearchRequest.MaxFromPlusSize - 10, 11)]
    public async Task Pages_beyond_the_limits_are_refused(int from, int size)
    {
        var store = await StoreWithAsync(Catalogue());

        var search = () => store.SearchAsync(new SearchRequest(new SearchQuery()) { From = from, Size = size }, Ct);

        await search.Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData(SearchSort.NewestFirst)]
    [InlineData(SearchSort.OldestFirst)]
    [InlineData(SearchSort.SlowestFirst)]
    public async Task Walking_with_the_cursor_gives_the_same_hits_as_one_page(SearchSort sort)
    {
        var store = await StoreWithAsync([.. Catalogue(), Event("e7", Day1.AddHours(10).AddMinutes(30)) with { ResponseTimeMs = null }]);
        var expected = await IdsAsync(store, new SearchQuery(), sort);

        var walked = new List<string>();
        string? cursor = null;
        do
        {
            var page = await store.SearchAsync(new SearchRequest(new SearchQuery()) { Sort = sort, Size = 1, After = cursor }, Ct);
            page.Total.Should().Be(7);
            walked.AddRange(page.Hits.Select(h => h.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null && walked.Count <= expected.Length);

        walked.Should().Equal(expected);
    }

    [Fact]
    public async Task Walking_12000_events_with_the_cursor_returns_each_exactly_once_in_order()
    {
        var events = Many(12_000, Day1.AddHours(20), TimeSpan.FromSeconds(7), perTimestamp: 3);
        var store = await CreateStoreAsync();
        foreach (var batch in events.Chunk(2_000))
        {
            await store.UpsertAsync(batch, Ct);
        }

        await store.FlushAsync(Ct);
        var expected = events
            .OrderByDescending(e => e.Timestamp)
            .ThenByDescending(e => e.Id, StringComparer.Ordinal)
            .Select(e => e.Id)
            .ToList();

        var walked = new List<string>(expected.Count);
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await store.SearchAsync(new SearchRequest(new SearchQuery()) { Size = SearchRequest.MaxSize, After = cursor }, Ct);
            page.Total.Should().Be(12_000);
            walked.AddRange(page.Hits.Select(h => h.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null && ++pages <= 13);

        walked.Should().Equal(expected);
    }

    [Fact]
    public async Task A_malformed_cursor_is_an_invalid_query()
    {
        var store = await StoreWithAsync(Catalogue());

        var search = () => store.SearchAsync(new SearchRequest(new SearchQuery()) { After = "not a cursor!" }, Ct);

        await search.Should().ThrowAsync<InvalidQueryException>();
    }

    [Fact]
    public async Task Count_counts_matching_events()
    {
        var store = await StoreWithAsync(Catalogue());

        (await store.CountAsync(new SearchQuery(), Ct)).Should().Be(6);
        (await store.CountAsync(new SearchQuery { Text = "endpoint:/api/users*", Servers = ["web-01"] }, Ct)).Should().Be(2);
    }

    [Fact]
    public async Task Terms_counts_levels_most_first_and_ties_by_value()
    {
        var store = await StoreWithAsync(Catalogue());

        var terms = await store.TermsAsync(new SearchQuery(), LogFields.Level, 10, Ct);

        terms.Should().Equal(
            new TermCount(LogLevels.Error, 2),
            new TermCount(LogLevels.Critical, 1),
            new TermCount(LogLevels.Debug, 1),
            new TermCount(LogLevels.Info, 1),
            new TermCount(LogLevels.Warning, 1));
    }

    [Fact]
    public async Task Terms_counts_endpoints_of_matching_events_only()
    {
        var store = await StoreWithAsync(Catalogue());

        var terms = await store.TermsAsync(new SearchQuery { Servers = ["web-01"] }, LogFields.Endpoint, 10, Ct);

        terms.Should().Equal(new TermCount("/api/users", 1), new TermCount("/api/users/42", 1), new TermCount("/login", 1));
    }

    [Fact]
    public async Task Terms_counts_status_codes_up_to_the_requested_size()
    {
        var store = await StoreWithAsync(Catalogue());

        var terms = await store.TermsAsync(new SearchQuery(), LogFields.StatusCode, 2, Ct);

        terms.Should().Equal(new TermCount("200", 2), new TermCount("404", 1));
    }

    [Fact]
    public async Task Date_histogram_counts_per_hour_and_omits_empty_hours()
    {
        var at = Day1.AddHours(10);
        var store = await StoreWithAsync(
        [
            Event("h1", at), Event("h2", at.AddMinutes(30)), Event("h3", at.AddMinutes(59).AddSeconds(59)),
            Event("h4", at.AddHours(2).AddMinutes(15)) with { Level = LogLevels.Error },
        ]);

        var all = await store.DateHistogramAsync(new SearchQuery(), TimeSpan.FromHours(1), Ct);
        var errors = await store.DateHistogramAsync(new SearchQuery { Levels = [LogLevels.Error] }, TimeSpan.FromHours(1), Ct);

        all.Should().Equal(new TimeBucket(at, 3), new TimeBucket(at.AddHours(2), 1));
        errors.Should().Equal(new TimeBucket(at.AddHours(2), 1));
    }

    [Fact]
    public async Task Delete_by_file_id_removes_that_file_and_returns_how_many()
    {
        var store = await StoreWithAsync(Catalogue());

        var deleted = await store.DeleteAsync(new SearchQuery { FileId = "file-1" }, Ct);

        deleted.Should().Be(2);
        (await IdsAsync(store, new SearchQuery(), SearchSort.OldestFirst)).Should().Equal("e1", "e2", "e3", "e4");
        (await store.GetAsync("e5", Ct)).Should().BeNull();
    }

    [Fact]
    public async Task Events_spread_over_several_days_are_searched_together()
    {
        var store = await StoreWithAsync(
        [
            Event("d1", Day1.AddHours(23).AddMinutes(59)),
            Event("d2", Day1.AddDays(1).AddMinutes(1)),
            Event("d3", Day1.AddDays(2).AddHours(12)),
        ]);

        (await IdsAsync(store, new SearchQuery())).Should().Equal("d3", "d2", "d1");
        (await IdsAsync(store, new SearchQuery { From = Day1.AddHours(23), To = Day1.AddDays(1).AddHours(1) })).Should().Equal("d2", "d1");
        (await IdsAsync(store, new SearchQuery { From = Day1.AddDays(1) })).Should().Equal("d3", "d2");
        (await store.GetAsync("d1", Ct))!.Id.Should().Be("d1");
        (await store.DateHistogramAsync(new SearchQuery(), TimeSpan.FromDays(1), Ct)).Should().Equal(
            new TimeBucket(Day1, 1), new TimeBucket(Day1.AddDays(1), 1), new TimeBucket(Day1.AddDays(2), 1));
    }

    [Fact]
    public async Task Delete_older_than_drops_every_earlier_event()
    {
        var day2 = Day1.AddDays(1);
        var store = await StoreWithAsync(
        [
            Event("old", Day1.AddHours(10)),
            Event("morning", day2.AddHours(10)),
            Event("afternoon", day2.AddHours(14)),
            Event("recent", Day1.AddDays(2).AddHours(1)),
        ]);

        await store.DeleteOlderThanAsync(day2.AddHours(12), Ct);

        (await IdsAsync(store, new SearchQuery())).Should().Equal("recent", "afternoon");
        (await store.GetAsync("old", Ct)).Should().BeNull();
    }

    [Theory]
    [InlineData(SearchSort.NewestFirst)]
    [InlineData(SearchSort.OldestFirst)]
    public async Task Pages_and_cursors_over_several_days_follow_time_order_with_every_event_once(SearchSort sort)
    {
        var events = Enumerable.Range(0, 60)
            .Select(i => SearchTestEvents.Event($"d{i:D2}", SearchTestEvents.Day1.AddHours(i * 2.5)) with { Level = i % 3 == 0 ? LogLevels.Error : LogLevels.Info })
            .ToList();
        var store = await StoreWithAsync(events);
        var errors = events.Where(e => e.Level == LogLevels.Error);
        var expected = (sort == SearchSort.NewestFirst ? errors.OrderByDescending(e => e.Timestamp) : errors.OrderBy(e => e.Timestamp)).Select(e => e.Id).ToList();
        var query = new SearchQuery { Levels = [LogLevels.Error] };

        var walked = new List<string>();
        string? cursor = null;
        do
        {
            var page = await store.SearchAsync(new SearchRequest(query) { Sort = sort, Size = 3, After = cursor }, Ct);
            page.Total.Should().Be(expected.Count);
            walked.AddRange(page.Hits.Select(h => h.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        walked.Should().Equal(expected);
        var secondPage = await store.SearchAsync(new SearchRequest(query) { Sort = sort, Size = 4, From = 4 }, Ct);
        secondPage.Hits.Select(h => h.Id).Should().Equal(expected.Skip(4).Take(4));
    }
}

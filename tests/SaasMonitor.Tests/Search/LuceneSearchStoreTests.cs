using SaasMonitor.Core.Events;
using SaasMonitor.Core.Search;
using SaasMonitor.Embedded.Search;
using SaasMonitor.Tests.Conformance;
using static SaasMonitor.Tests.Conformance.SearchTestEvents;

namespace SaasMonitor.Tests.Search;

/// <summary>The embedded Lucene.NET index passes the search conformance suite.</summary>
public sealed class LuceneSearchStoreConformanceTests : SearchStoreConformanceTests, IDisposable
{
    private readonly List<LuceneSearchStore> _stores = [];
    private readonly List<TempIndexFolder> _folders = [];

    protected override Task<ISearchStore> CreateStoreAsync()
    {
        var folder = new TempIndexFolder();
        _folders.Add(folder);
        var store = new LuceneSearchStore(new LuceneSearchOptions { Directory = folder.Path });
        _stores.Add(store);
        return Task.FromResult<ISearchStore>(store);
    }

    public void Dispose()
    {
        _stores.ForEach(s => s.Dispose());
        _folders.ForEach(f => f.Dispose());
    }
}

/// <summary>What only the embedded index does: folders per day on disk, durability across restarts, one writer.</summary>
public sealed class LuceneSearchStoreTests : IDisposable
{
    private readonly TempIndexFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private LuceneSearchOptions Options => new() { Directory = _folder.Path };

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Flushed_events_survive_dispose_and_reopen()
    {
        using (var store = new LuceneSearchStore(Options))
        {
            await store.UpsertAsync(Catalogue(), Ct);
            await store.FlushAsync(Ct);
        }

        using var reopened = new LuceneSearchStore(Options);

        (await reopened.CountAsync(new SearchQuery(), Ct)).Should().Be(6);
        (await reopened.GetAsync("e2", Ct)).Should().BeEquivalentTo(Catalogue()[1]);
        (await reopened.SearchAsync(new SearchRequest(new SearchQuery { Text = "level:ERROR" }), Ct)).Total.Should().Be(2);
    }

    [Fact]
    public async Task Dispose_commits_events_that_were_not_flushed()
    {
        using (var store = new LuceneSearchStore(Options))
        {
            await store.UpsertAsync(Catalogue(), Ct);
        }

        using var reopened = new LuceneSearchStore(Options);

        (await reopened.CountAsync(new SearchQuery(), Ct)).Should().Be(6);
    }

    [Fact]
    public async Task Each_UTC_day_has_its_own_folder()
    {
        using var store = new LuceneSearchStore(Options);

        await store.UpsertAsync(
            [Event("a", Day1.AddHours(1)), Event("b", Day1.AddDays(1).AddHours(1)), Event("c", new DateTimeOffset(2024, 3, 12, 1, 30, 0, TimeSpan.FromHours(2)))],
            Ct);
        await store.FlushAsync(Ct);

        DayFolders().Should().Equal("2024-03-10", "2024-03-11");
    }

    [Fact]
    public async Task Retention_removes_the_folders_of_expired_days()
    {
        using var store = new LuceneSearchStore(Options);
        await store.UpsertAsync([Event("a", Day1.AddHours(1)), Event("b", Day1.AddDays(1).AddHours(1)), Event("c", Day1.AddDays(2).AddHours(1))], Ct);
        await store.FlushAsync(Ct);

        await store.DeleteOlderThanAsync(Day1.AddDays(1).AddHours(12), Ct);

        DayFolders().Should().Equal("2024-03-11", "2024-03-12");
        (await store.CountAsync(new SearchQuery(), Ct)).Should().Be(1);
    }

    [Fact]
    public async Task Retention_also_drops_days_found_on_disk_at_start()
    {
        using (var store = new LuceneSearchStore(Options))
        {
            await store.UpsertAsync([Event("a", Day1.AddHours(1)), Event("b", Day1.AddDays(1).AddHours(1))], Ct);
        }

        using var reopened = new LuceneSearchStore(Options);
        await reopened.DeleteOlderThanAsync(Day1.AddDays(1), Ct);

        DayFolders().Should().Equal("2024-03-11");
        (await reopened.CountAsync(new SearchQuery(), Ct)).Should().Be(1);
    }

    [Fact]
    public void A_second_store_on_the_same_folder_is_refused()
    {
        using var store = new LuceneSearchStore(Options);

        var second = () => new LuceneSearchStore(Options);

        second.Should().Throw<InvalidOperationException>().WithMessage("*already open*");
    }

    [Theory]
    [InlineData("colour:red")]
    [InlineData("raw:anything")]
    [InlineData("nosuchfield:[1 TO 2]")]
    public async Task A_query_naming_an_unknown_field_is_invalid(string text)
    {
        using var store = new LuceneSearchStore(Options);

        var count = () => store.CountAsync(new SearchQuery { Text = text }, Ct);

        (await count.Should().ThrowAsync<InvalidQueryException>()).Which.Message.Should().Contain("Unknown field");
    }

    [Theory]
    [InlineData("level:warn", new[] { "e3" })]
    [InlineData("level:crit*", new[] { "e5" })]
    [InlineData("message:TIME*", new[] { "e2", "e5" })]
    public async Task Level_words_and_message_wildcards_are_folded_like_the_index(string text, string[] expected)
    {
        using var store = new LuceneSearchStore(Options);
        await store.UpsertAsync(Catalogue(), Ct);
        await store.FlushAsync(Ct);

        var page = await store.SearchAsync(new SearchRequest(new SearchQuery { Text = text }) { Sort = SearchSort.OldestFirst }, Ct);

        page.Hits.Select(h => h.Id).Should().Equal(expected);
    }

    [Theory]
    [InlineData("endpoint:/api/users", @"endpoint:\/api\/users")]
    [InlineData(@"endpoint:\/api", @"endpoint:\/api")]
    [InlineData("no slash", "no slash")]
    public void Forward_slashes_are_escaped_once(string text, string expected) =>
        SearchSyntax.EscapeSlashes(text).Should().Be(expected);

    [Fact]
    public async Task Terms_on_a_field_that_is_not_a_keyword_is_refused()
    {
        using var store = new LuceneSearchStore(Options);

        var terms = () => store.TermsAsync(new SearchQuery(), LogFields.Message, 10, Ct);

        await terms.Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task Terms_of_a_keyword_without_doc_values_are_counted_from_the_index()
    {
        using var store = new LuceneSearchStore(Options);
        await store.UpsertAsync([.. Catalogue().Select((e, i) => e with { TenantId = i < 3 ? "tenant-a" : "tenant-b" })], Ct);
        await store.FlushAsync(Ct);

        var terms = await store.TermsAsync(new SearchQuery { Levels = [LogLevels.Error, LogLevels.Critical, LogLevels.Debug] }, LogFields.TenantId, 10, Ct);

        terms.Should().Equal(new TermCount("tenant-b", 3), new TermCount("tenant-a", 1));
    }

    [Fact]
    public async Task A_batch_indexed_on_two_threads_keeps_one_event_per_id_the_last_copy()
    {
        using var store = new LuceneSearchStore(new LuceneSearchOptions { Directory = _folder.Path, IndexingThreads = 2 });
        var first = Many(2_000, Day1, TimeSpan.FromSeconds(1));
        var batch = first.Concat(first.Select(e => e with { Message = "second copy" })).ToList();

        await store.UpsertAsync(batch, Ct);
        await store.FlushAsync(Ct);

        (await store.CountAsync(new SearchQuery(), Ct)).Should().Be(2_000);
        (await store.CountAsync(new SearchQuery { Text = "\"second copy\"" }, Ct)).Should().Be(2_000);
    }

    [Fact]
    public async Task Events_with_bus_origin_ids_are_kept_once_when_indexed_again_in_the_same_store_and_after_reopening()
    {
        var events = FromRawRecords(Day1, records: 20, perRecord: 100);
        using (var store = new LuceneSearchStore(new LuceneSearchOptions { Directory = _folder.Path, IndexingThreads = 2 }))
        {
            await store.UpsertAsync(events, Ct);
            await store.UpsertAsync([.. events.Take(500).Select(e => e with { Message = "replayed" })], Ct);
            await store.FlushAsync(Ct);
            (await store.CountAsync(new SearchQuery(), Ct)).Should().Be(2_000);
        }

        using var reopened = new LuceneSearchStore(new LuceneSearchOptions { Directory = _folder.Path, IndexingThreads = 2 });
        await reopened.UpsertAsync([.. events.Skip(1_000).Select(e => e with { Message = "replayed" })], Ct);
        await reopened.UpsertAsync(FromRawRecords(Day1, records: 25, perRecord: 100).Skip(2_000).ToList(), Ct);
        await reopened.FlushAsync(Ct);

        (await reopened.CountAsync(new SearchQuery(), Ct)).Should().Be(2_500);
        (await reopened.CountAsync(new SearchQuery { Text = "message:replayed" }, Ct)).Should().Be(1_500);
        (await reopened.GetAsync("0-15-7", Ct))!.Message.Should().Be("replayed");
    }

    /// <summary>Events as the parser makes them: ids from the raw record's partition, offset and line index.</summary>
    private static List<LogEvent> FromRawRecords(DateTimeOffset start, int records, int perRecord) =>
        [.. Enumerable.Range(0, records * perRecord).Select(i =>
            Event(EventIds.For(0, i / perRecord, i % perRecord), start.AddMilliseconds(i)))];

    [Fact]
    public void Indexing_threads_must_be_at_least_one()
    {
        var create = () => new LuceneSearchStore(new LuceneSearchOptions { Directory = _folder.Path, IndexingThreads = 0 });

        create.Should().Throw<ArgumentOutOfRangeException>();
    }

    private string[] DayFolders() =>
        [.. Directory.EnumerateDirectories(_folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
}

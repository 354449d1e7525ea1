using SaasMonitor.Core.Search;
using SaasMonitor.Embedded.Search;
using static SaasMonitor.Tests.Conformance.SearchTestEvents;

namespace SaasMonitor.Tests.Search;

/// <summary>
/// A process other than the indexer opens the index read-only: it reads what the writer commits, finds the days the
/// writer adds, and refuses writes.
/// </summary>
public sealed class ReadOnlySearchStoreTests : IDisposable
{
    private readonly TempIndexFolder _folder = new();
    private readonly LuceneSearchStore _writer;

    public ReadOnlySearchStoreTests() => _writer = new LuceneSearchStore(new LuceneSearchOptions { Directory = _folder.Path });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _writer.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_reader_finds_what_the_writer_committed_including_a_day_created_later()
    {
        await _writer.UpsertAsync(Catalogue(), Ct);
        await _writer.FlushAsync(Ct);
        using var reader = Reader(TimeSpan.Zero);
        (await reader.CountAsync(new SearchQuery(), Ct)).Should().Be(6);

        var nextDay = Event("next-day", Day1.AddDays(1).AddHours(3));
        await _writer.UpsertAsync([nextDay], Ct);
        await _writer.FlushAsync(Ct);

        (await reader.CountAsync(new SearchQuery(), Ct)).Should().Be(7);
        (await reader.GetAsync("next-day", Ct)).Should().BeEquivalentTo(nextDay);
        (await reader.SearchAsync(new SearchRequest(new SearchQuery { Text = "level:ERROR" }), Ct)).Total.Should().Be(2);
    }

    [Fact]
    public async Task A_reader_sees_only_committed_events()
    {
        await _writer.UpsertAsync([Event("committed", Day1.AddHours(1))], Ct);
        await _writer.FlushAsync(Ct);
        using var reader = Reader(TimeSpan.Zero);

        await _writer.UpsertAsync([Event("uncommitted", Day1.AddHours(2)), Event("new-day", Day1.AddDays(1))], Ct);

        (await reader.CountAsync(new SearchQuery(), Ct)).Should().Be(1);
        (await reader.GetAsync("uncommitted", Ct)).Should().BeNull();
    }

    [Fact]
    public async Task A_reader_looks_for_new_commits_at_most_once_per_refresh_interval()
    {
        await _writer.UpsertAsync([Event("a", Day1.AddHours(1))], Ct);
        await _writer.FlushAsync(Ct);
        var clock = new SteppedClock();
        using var reader = Reader(TimeSpan.FromSeconds(1), clock);
        (await reader.CountAsync(new SearchQuery(), Ct)).Should().Be(1);

        await _writer.UpsertAsync([Event("b", Day1.AddHours(2))], Ct);
        await _writer.FlushAsync(Ct);
        clock.Advance(TimeSpan.FromMilliseconds(500));
        var withinInterval = await reader.CountAsync(new SearchQuery(), Ct);
        clock.Advance(TimeSpan.FromMilliseconds(500));
        var afterInterval = await reader.CountAsync(new SearchQuery(), Ct);

        withinInterval.Should().Be(1);
        afterInterval.Should().Be(2);
    }

    [Fact]
    public async Task A_reader_forgets_the_days_the_writers_retention_removed()
    {
        await _writer.UpsertAsync([Event("old", Day1.AddHours(1)), Event("new", Day1.AddDays(1).AddHours(1))], Ct);
        await _writer.FlushAsync(Ct);
        using var reader = Reader(TimeSpan.Zero);
        (await reader.CountAsync(new SearchQuery(), Ct)).Should().Be(2);

        await _writer.DeleteOlderThanAsync(Day1.AddDays(1), Ct);

        (await reader.CountAsync(new SearchQuery(), Ct)).Should().Be(1);
        (await reader.GetAsync("old", Ct)).Should().BeNull();
    }

    [Fact]
    public async Task A_reader_opens_before_the_writer_has_committed_anything()
    {
        using var reader = Reader(TimeSpan.Zero);
        await _writer.UpsertAsync([Event("a", Day1.AddHours(1))], Ct);
        (await reader.CountAsync(new SearchQuery(), Ct)).Should().Be(0);

        await _writer.FlushAsync(Ct);

        (await reader.CountAsync(new SearchQuery(), Ct)).Should().Be(1);
    }

    [Fact]
    public async Task Writes_on_a_reader_are_refused_with_the_reason()
    {
        using var reader = Reader(TimeSpan.Zero);
        Func<Task>[] writes =
        [
            () => reader.UpsertAsync([Event("a", Day1)], Ct),
            () => reader.FlushAsync(Ct),
            () => reader.DeleteAsync(new SearchQuery { FileId = "f" }, Ct),
            () => reader.DeleteOlderThanAsync(Day1, Ct),
        ];

        foreach (var write in writes)
        {
            await write.Should().ThrowAsync<InvalidOperationException>().WithMessage("*written by the indexer process*");
        }
    }

    private LuceneSearchStore Reader(TimeSpan refreshInterval, TimeProvider? time = null) =>
        new(new LuceneSearchOptions { Directory = _folder.Path, ReadOnly = true, RefreshInterval = refreshInterval }, time);

    /// <summary>A monotonic clock the test moves by hand.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks = 1;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}

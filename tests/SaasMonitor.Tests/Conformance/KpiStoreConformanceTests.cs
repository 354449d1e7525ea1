using System.Collections;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Kpis;
using SaasMonitor.Tests.Kpis;

namespace SaasMonitor.Tests.Conformance;

/// <summary>What every <see cref="IKpiStore"/> must do. A fixture returns an empty store from <see cref="CreateStoreAsync"/>.</summary>
public abstract class KpiStoreConformanceTests
{
    private const string Group = "aggregator";
    private static readonly DateTimeOffset Day1 = new(2024, 5, 6, 0, 0, 0, TimeSpan.Zero);

    protected abstract Task<IKpiStore> CreateStoreAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Applying_two_batches_merges_counts_sketches_and_users()
    {
        var store = await CreateStoreAsync();
        var first = KpiTestEvents.Generate(1_500, seed: 21, hours: 3);
        var second = KpiTestEvents.Generate(1_500, seed: 22, hours: 3);

        await store.ApplyAsync(Batch(first), Group, [], Ct);
        await store.ApplyAsync(Batch(second), Group, [], Ct);

        var all = Batch([.. first, .. second]);
        foreach (var granularity in Enum.GetValues<KpiGranularity>())
        {
            ShouldMatch(await store.QueryAsync(new KpiQuery(granularity), Ct), all.Windows.Where(w => w.Granularity == granularity));
            var users = await store.QueryUsersAsync(new KpiQuery(granularity), Ct);
            users.Select(u => (u.Start, u.Service, u.Users.Estimate())).Should().BeEquivalentTo(
                all.Users.Where(u => u.Granularity == granularity).Select(u => (u.Start, u.Service, u.Users.Estimate())));
        }
    }

    [Fact]
    public async Task Offsets_are_stored_with_the_windows_and_read_back_per_group()
    {
        var store = await CreateStoreAsync();

        await store.ApplyAsync(Batch(Event(Day1)), Group, [new("events", 0, 10), new("events", 1, 5)], Ct);
        await store.ApplyAsync(Batch(Event(Day1)), Group, [new("events", 0, 20)], Ct);
        await store.ApplyAsync(new KpiBatch(), "other", [new("events", 0, 3)], Ct);

        store.GetOffsets(Group).Should().BeEquivalentTo([new TopicPartitionOffset("events", 0, 20), new TopicPartitionOffset("events", 1, 5)]);
        store.GetOffsets("other").Should().Equal(new TopicPartitionOffset("events", 0, 3));
        store.GetOffsets("nobody").Should().BeEmpty();
        (await store.QueryAsync(new KpiQuery(KpiGranularity.Day), Ct)).Single().Count.Should().Be(2);
    }

    [Fact]
    public async Task A_failed_apply_stores_neither_windows_nor_offsets()
    {
        var store = await CreateStoreAsync();
        var first = KpiTestEvents.Generate(500, seed: 31, hours: 2);
        var second = KpiTestEvents.Generate(500, seed: 32, hours: 2);
        await store.ApplyAsync(Batch(first), Group, [new("events", 0, 500)], Ct);

        var failing = () => store.ApplyAsync(Batch(second), Group, new FailingOffsets(), Ct);

        await failing.Should().ThrowAsync<InvalidOperationException>();
        store.GetOffsets(Group).Should().Equal(new TopicPartitionOffset("events", 0, 500));
        ShouldMatch(await store.QueryAsync(new KpiQuery(KpiGranularity.Minute), Ct), Batch(first).Windows.Where(w => w.Granularity == KpiGranularity.Minute));

        // The store is still usable and merges the retried batch exactly once.
        await store.ApplyAsync(Batch(second), Group, [new("events", 0, 1_000)], Ct);
        ShouldMatch(await store.QueryAsync(new KpiQuery(KpiGranularity.Hour), Ct), Batch([.. first, .. second]).Windows.Where(w => w.Granularity == KpiGranularity.Hour));
        store.GetOffsets(Group).Should().Equal(new TopicPartitionOffset("events", 0, 1_000));
    }

    [Fact]
    public async Task A_cancelled_apply_stores_all_or_nothing()
    {
        var store = await CreateStoreAsync();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var offsets = new CancellingOffsets(cancellation, new("events", 0, 7));

        var completed = true;
        try
        {
            await store.ApplyAsync(Batch(Event(Day1)), Group, offsets, cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            completed = false;
        }

        var windows = await store.QueryAsync(new KpiQuery(KpiGranularity.Minute), Ct);
        if (completed)
        {
            windows.Should().ContainSingle();
            store.GetOffsets(Group).Should().ContainSingle();
        }
        else
        {
            windows.Should().BeEmpty();
            store.GetOffsets(Group).Should().BeEmpty();
        }

        var precancelled = () => store.ApplyAsync(Batch(Event(Day1)), "g2", [new("events", 0, 1)], new CancellationToken(canceled: true));
        await precancelled.Should().ThrowAsync<OperationCanceledException>();
        store.GetOffsets("g2").Should().BeEmpty();
    }

    [Fact]
    public async Task Queries_select_one_granularity_and_a_half_open_start_range()
    {
        var store = await CreateStoreAsync();
        var ten = Day1.AddHours(10);
        await store.ApplyAsync(
            Batch(Event(ten.AddSeconds(30)), Event(ten.AddMinutes(1).AddSeconds(30)), Event(ten.AddMinutes(90)), Event(ten.AddDays(1))),
            Group,
            [],
            Ct);

        var minutes = await store.QueryAsync(new KpiQuery(KpiGranularity.Minute, ten.AddMinutes(1), ten.AddMinutes(91)), Ct);
        minutes.Select(w => w.Start).Should().BeEquivalentTo([ten.AddMinutes(1), ten.AddMinutes(90)]);
        minutes.Should().AllSatisfy(w => w.Granularity.Should().Be(KpiGranularity.Minute));

        var hours = await store.QueryAsync(new KpiQuery(KpiGranularity.Hour, From: ten.AddHours(1)), Ct);
        hours.Select(w => w.Start).Should().BeEquivalentTo([ten.AddHours(1), ten.AddDays(1)]);

        var days = await store.QueryAsync(new KpiQuery(KpiGranularity.Day, To: Day1.AddDays(1)), Ct);
        days.Should().ContainSingle().Which.Count.Should().Be(3);

        (await store.QueryAsync(new KpiQuery(KpiGranularity.Minute), Ct)).Should().HaveCount(4);
        (await store.QueryAsync(new KpiQuery(KpiGranularity.Minute, ten.AddMinutes(1), ten.AddMinutes(1)), Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task Windows_and_users_can_be_filtered_by_service()
    {
        var store = await CreateStoreAsync();
        await store.ApplyAsync(
            Batch(
                Event(Day1, service: "api", user: "u1"),
                Event(Day1, service: "api", user: "u2"),
                Event(Day1, service: "web", user: "u1"),
                Event(Day1, service: null, user: "u3")),
            Group,
            [],
            Ct);

        var apiUsers = await store.QueryUsersAsync(new KpiQuery(KpiGranularity.Hour) { Service = "api" }, Ct);
        apiUsers.Should().ContainSingle().Which.Users.Estimate().Should().Be(2);
        var noService = await store.QueryUsersAsync(new KpiQuery(KpiGranularity.Day) { Service = "" }, Ct);
        noService.Should().ContainSingle().Which.Users.Estimate().Should().Be(1);
        (await store.QueryUsersAsync(new KpiQuery(KpiGranularity.Minute), Ct)).Select(u => u.Service).Should().BeEquivalentTo(["api", "web", ""]);

        var webWindows = await store.QueryAsync(new KpiQuery(KpiGranularity.Day) { Service = "web" }, Ct);
        webWindows.Should().ContainSingle().Which.Key.Service.Should().Be("web");
    }

    [Fact]
    public async Task Deleting_old_windows_touches_only_that_granularity_and_later_windows_start_afresh()
    {
        var store = await CreateStoreAsync();
        var day2 = Day1.AddDays(1);
        await store.ApplyAsync(Batch(Event(Day1.AddHours(3), user: "u1"), Event(day2.AddHours(3), user: "u2")), Group, [], Ct);

        await store.DeleteOlderThanAsync(KpiGranularity.Minute, day2, Ct);

        (await store.QueryAsync(new KpiQuery(KpiGranularity.Minute), Ct)).Select(w => w.Start).Should().Equal(day2.AddHours(3));
        (await store.QueryUsersAsync(new KpiQuery(KpiGranularity.Minute), Ct)).Select(w => w.Start).Should().Equal(day2.AddHours(3));
        (await store.QueryAsync(new KpiQuery(KpiGranularity.Hour), Ct)).Should().HaveCount(2);
        (await store.QueryUsersAsync(new KpiQuery(KpiGranularity.Day), Ct)).Should().HaveCount(2);

        await store.ApplyAsync(Batch(Event(Day1.AddHours(3), user: "u9")), Group, [], Ct);
        var minute = (await store.QueryAsync(new KpiQuery(KpiGranularity.Minute, To: day2), Ct)).Should().ContainSingle().Subject;
        minute.Count.Should().Be(1);
        (await store.QueryUsersAsync(new KpiQuery(KpiGranularity.Minute, To: day2), Ct)).Single().Users.Estimate().Should().Be(1);
        (await store.QueryAsync(new KpiQuery(KpiGranularity.Hour, To: day2), Ct)).Single().Count.Should().Be(2);
    }

    [Fact]
    public async Task Deleting_a_file_removes_exactly_what_its_events_added_and_leaves_every_other_window_as_it_was()
    {
        var store = await CreateStoreAsync();
        var streamed = KpiTestEvents.Generate(800, seed: 41, hours: 3);
        var fileA = KpiTestEvents.Generate(600, seed: 42, hours: 3).Select(e => e with { FileId = "file-a" }).ToList();
        var fileB = KpiTestEvents.Generate(600, seed: 43, hours: 3).Select(e => e with { FileId = "file-b" }).ToList();
        await store.ApplyAsync(Batch([.. streamed[..400], .. fileA[..300], .. fileB[..300]]), Group, [], Ct);
        await store.ApplyAsync(Batch([.. streamed[400..], .. fileA[300..], .. fileB[300..]]), Group, [], Ct);
        (await store.ListFilesAsync(Ct)).Should().BeEquivalentTo(["file-a", "file-b"]);

        await store.DeleteFileAsync("file-a", Ct);
        await store.DeleteFileAsync("file-a", Ct);

        (await store.ListFilesAsync(Ct)).Should().Equal("file-b");
        var remaining = Batch([.. streamed, .. fileB]);
        foreach (var granularity in Enum.GetValues<KpiGranularity>())
        {
            ShouldMatch(await store.QueryAsync(new KpiQuery(granularity), Ct), remaining.Windows.Where(w => w.Granularity == granularity));
            var users = await store.QueryUsersAsync(new KpiQuery(granularity), Ct);
            users.Select(u => (u.Start, u.Service, u.FileId, u.Users.Estimate())).Should().BeEquivalentTo(
                remaining.Users.Where(u => u.Granularity == granularity).Select(u => (u.Start, u.Service, u.FileId, u.Users.Estimate())));
        }

        // Events of the deleted file that arrive late are counted afresh, not on top of what was removed.
        await store.ApplyAsync(Batch(fileA[0]), Group, [], Ct);
        (await store.QueryAsync(new KpiQuery(KpiGranularity.Day), Ct)).Where(w => w.Key.FileId == "file-a").Sum(w => w.Count).Should().Be(1);
    }

    protected static KpiBatch Batch(params IEnumerable<LogEvent> events)
    {
        var batch = new KpiBatch();
        foreach (var e in events)
        {
            batch.Add(e);
        }

        return batch;
    }

    protected static LogEvent Event(DateTimeOffset at, string? service = "api", string? user = null, double? responseMs = 42) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Timestamp = at,
        Level = LogLevels.Info,
        Service = service,
        Endpoint = "/api/orders",
        StatusCode = 200,
        ResponseTimeMs = responseMs,
        UserId = user,
    };

    protected static void ShouldMatch(IEnumerable<KpiWindow> actual, IEnumerable<KpiWindow> expected)
    {
        var a = Ordered(actual);
        var e = Ordered(expected);
        a.Select(w => (w.Granularity, w.Start, w.Key)).Should().Equal(e.Select(w => (w.Granularity, w.Start, w.Key)));
        for (var i = 0; i < e.Count; i++)
        {
            a[i].Count.Should().Be(e[i].Count);
            a[i].Errors.Should().Be(e[i].Errors);
            a[i].ResponseCount.Should().Be(e[i].ResponseCount);
            a[i].ResponseSumMs.Should().BeApproximately(e[i].ResponseSumMs, 1e-6);
            a[i].ResponseMaxMs.Should().Be(e[i].ResponseMaxMs);
            a[i].Latency.ToBytes().Should().Equal(e[i].Latency.ToBytes());
        }
    }

    private static List<KpiWindow> Ordered(IEnumerable<KpiWindow> windows) => windows
        .OrderBy(w => w.Granularity)
        .ThenBy(w => w.Start)
        .ThenBy(w => w.Key.Service, StringComparer.Ordinal)
        .ThenBy(w => w.Key.Endpoint, StringComparer.Ordinal)
        .ThenBy(w => w.Key.Level, StringComparer.Ordinal)
        .ThenBy(w => w.Key.StatusCode)
        .ThenBy(w => w.Key.FileId, StringComparer.Ordinal)
        .ToList();

    /// <summary>Offsets that cannot be read: the store fails after it has started writing the batch.</summary>
    private sealed class FailingOffsets : IReadOnlyList<TopicPartitionOffset>
    {
        public int Count => 1;

        public TopicPartitionOffset this[int index] => throw new InvalidOperationException("offsets unavailable");

        public IEnumerator<TopicPartitionOffset> GetEnumerator() => throw new InvalidOperationException("offsets unavailable");

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>Offsets whose reading cancels the apply, as a shutdown arriving mid-apply would.</summary>
    private sealed class CancellingOffsets(CancellationTokenSource cancellation, TopicPartitionOffset offset) : IReadOnlyList<TopicPartitionOffset>
    {
        public int Count => 1;

        public TopicPartitionOffset this[int index]
        {
            get
            {
                cancellation.Cancel();
                return offset;
            }
        }

        public IEnumerator<TopicPartitionOffset> GetEnumerator()
        {
            cancellation.Cancel();
            yield return offset;
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

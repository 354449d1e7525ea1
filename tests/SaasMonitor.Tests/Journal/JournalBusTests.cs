using System.Diagnostics;
using System.Text;
using SaasMonitor.Core.Bus;
using SaasMonitor.Embedded.Journal;

namespace SaasMonitor.Tests.Journal;

public sealed class JournalBusTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly JournalDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Messages_and_committed_offsets_survive_dispose_and_reopen(bool fsync)
    {
        await using (var bus = new JournalBus(_directory.Options(segmentBytes: 2048, fsync: fsync)))
        {
            await bus.EnsureTopicAsync(new TopicSpec("events", 2) { RetentionTime = TimeSpan.FromDays(7) }, Ct);
            for (var i = 0; i < 10; i++)
            {
                await bus.ProduceAsync("events", Batch(i * 10, 10, partition: 0), Ct);
            }

            await bus.ProduceAsync("events", Batch(100, 5, partition: 1), Ct);
            await using var consumer = bus.Subscribe("indexer", ["events"]);
            var received = await ConsumeAsync(consumer, 105);
            await consumer.CommitAsync([new TopicPartitionOffset("events", 0, 40), new TopicPartitionOffset("events", 1, 5)], Ct);
            received.Should().HaveCount(105);
        }

        _directory.SegmentFiles("events", 0).Should().HaveCountGreaterThan(1, "the small segment size makes the partition roll");
        await using var reopened = new JournalBus(_directory.Options(segmentBytes: 2048, fsync: fsync));

        (await reopened.GetWatermarksAsync("events", Ct)).Should().Equal(
            new PartitionWatermark("events", 0, 0, 100), new PartitionWatermark("events", 1, 0, 5));
        (await reopened.GetCommittedOffsetsAsync("indexer", "events", Ct)).Should().Equal(
            new TopicPartitionOffset("events", 0, 40), new TopicPartitionOffset("events", 1, 5));
        await reopened.EnsureTopicAsync(new TopicSpec("events", 2), Ct);
        await using var resumed = reopened.Subscribe("indexer", ["events"]);
        var rest = await ConsumeAsync(resumed, 60);
        rest.Select(Text).Should().Equal(Enumerable.Range(40, 60).Select(i => $"message-{i}"));
        var next = await reopened.ProduceAsync("events", Batch(200, 1, partition: 0), Ct);
        next.Should().Equal(new TopicPartitionOffset("events", 0, 100));
    }

    [Fact]
    public async Task Seeking_by_time_and_offset_works_across_many_segments_after_reopen()
    {
        // Uncompressed, so that small messages fill many small segments.
        await using (var bus = new JournalBus(_directory.Options(segmentBytes: 8 * 1024, compression: JournalCompression.None)))
        {
            await bus.EnsureTopicAsync(new TopicSpec("raw", 1), Ct);
            for (var i = 0; i < 20; i++)
            {
                await bus.ProduceAsync("raw", [.. Enumerable.Range(i * 100, 100).Select(n => Message(n, timestamp: Start.AddSeconds(n)))], Ct);
            }
        }

        await using var reopened = new JournalBus(_directory.Options(segmentBytes: 8 * 1024, compression: JournalCompression.None));
        _directory.SegmentFiles("raw", 0).Should().HaveCountGreaterThan(5);

        (await reopened.GetOffsetsForTimeAsync("raw", Start.AddSeconds(1234.5), Ct)).Should().Equal(new TopicPartitionOffset("raw", 0, 1235));
        await using var consumer = reopened.Subscribe("replay", ["raw"]);
        await ConsumeAsync(consumer, 1);
        consumer.Seek(new TopicPartitionOffset("raw", 0, 1777));
        (await ConsumeAsync(consumer, 3)).Select(m => m.Offset).Should().Equal(1777, 1778, 1779);
    }

    [Fact]
    public async Task A_torn_tail_keeps_every_complete_record_and_the_next_append_continues_after_it()
    {
        await using (var bus = new JournalBus(_directory.Options()))
        {
            await bus.EnsureTopicAsync(new TopicSpec("raw", 1), Ct);
            await bus.ProduceAsync("raw", Batch(0, 10), Ct);
        }

        var segment = _directory.SegmentFiles("raw", 0).Single();
        var length = new FileInfo(segment).Length;
        using (var file = new FileStream(segment, FileMode.Open))
        {
            // The last record loses its final bytes, as when a process is killed mid-write.
            file.SetLength(length - 3);
        }

        await using (var bus = new JournalBus(_directory.Options()))
        {
            (await bus.GetWatermarksAsync("raw", Ct)).Single().High.Should().Be(9);
            (await bus.ProduceAsync("raw", Batch(100, 1), Ct)).Single().Offset.Should().Be(9);
        }

        await File.AppendAllTextAsync(segment, "garbage that is not a record", Ct);
        await using var reopened = new JournalBus(_directory.Options());
        await using var consumer = reopened.Subscribe("parser", ["raw"]);
        var received = await ConsumeAsync(consumer, 10);

        received.Select(Text).Should().Equal([.. Enumerable.Range(0, 9).Select(i => $"message-{i}"), "message-100"]);
        (await reopened.ProduceAsync("raw", Batch(101, 1), Ct)).Single().Offset.Should().Be(10);
    }

    [Fact]
    public async Task A_record_with_a_wrong_checksum_at_the_tail_is_cut_off_on_open()
    {
        await using (var bus = new JournalBus(_directory.Options()))
        {
            await bus.EnsureTopicAsync(new TopicSpec("raw", 1), Ct);
            await bus.ProduceAsync("raw", Batch(0, 5), Ct);
        }

        var segment = _directory.SegmentFiles("raw", 0).Single();
        var bytes = await File.ReadAllBytesAsync(segment, Ct);
        bytes[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(segment, bytes, Ct);

        await using var reopened = new JournalBus(_directory.Options());

        (await reopened.GetWatermarksAsync("raw", Ct)).Single().High.Should().Be(4);
    }

    [Fact]
    public async Task A_second_open_of_the_same_directory_is_refused()
    {
        await using var owner = new JournalBus(_directory.Options());

        var second = () => new JournalBus(_directory.Options());

        second.Should().Throw<BusException>().WithMessage($"*{_directory.Path}*in use by another process*");
    }

    [Fact]
    public async Task Retention_by_size_deletes_the_oldest_segments_and_consumers_continue_from_the_low_watermark()
    {
        await using var bus = new JournalBus(_directory.Options(segmentBytes: 1024));
        await bus.EnsureTopicAsync(new TopicSpec("raw", 1) { RetentionBytesPerPartition = 3000 }, Ct);
        await using var consumer = bus.Subscribe("parser", ["raw"]);
        (await ConsumeAsync(consumer, 0)).Should().BeEmpty();
        for (var i = 0; i < 10; i++)
        {
            await bus.ProduceAsync("raw", Batch(i * 10, 10), Ct);
        }

        var segmentsBefore = _directory.SegmentFiles("raw", 0).Length;
        await bus.ApplyRetentionAsync(Ct);

        var watermark = (await bus.GetWatermarksAsync("raw", Ct)).Single();
        watermark.Low.Should().BeGreaterThan(0);
        watermark.High.Should().Be(100);
        _directory.SegmentFiles("raw", 0).Should().HaveCountLessThan(segmentsBefore);
        _directory.SegmentFiles("raw", 0).Sum(f => new FileInfo(f).Length).Should().BeLessThanOrEqualTo(3000);
        var received = await ConsumeAsync(consumer, (int)(100 - watermark.Low));
        received[0].Offset.Should().Be(watermark.Low);
        received.Select(m => m.Offset).Should().Equal(Enumerable.Range((int)watermark.Low, (int)(100 - watermark.Low)).Select(i => (long)i));
    }

    [Fact]
    public async Task Retention_by_age_deletes_segments_whose_newest_record_is_too_old_but_never_the_active_one()
    {
        var clock = new ManualTimeProvider(Start);
        await using var bus = new JournalBus(_directory.Options(segmentBytes: 1024), clock);
        await bus.EnsureTopicAsync(new TopicSpec("raw", 1) { RetentionTime = TimeSpan.FromHours(1) }, Ct);
        await using var consumer = bus.Subscribe("parser", ["raw"]);
        await bus.ProduceAsync("raw", Batch(0, 40), Ct);
        clock.Advance(TimeSpan.FromMinutes(90));
        await bus.ProduceAsync("raw", Batch(40, 40), Ct);
        var fresh = (await bus.GetOffsetsForTimeAsync("raw", clock.GetUtcNow(), Ct)).Single().Offset;

        await bus.ApplyRetentionAsync(Ct);

        var watermark = (await bus.GetWatermarksAsync("raw", Ct)).Single();
        watermark.Low.Should().BeGreaterThan(0).And.BeLessThanOrEqualTo(fresh, "only segments holding nothing newer than an hour are deleted");
        var received = await ConsumeAsync(consumer, (int)(80 - watermark.Low));
        received[0].Offset.Should().Be(watermark.Low);

        clock.Advance(TimeSpan.FromDays(1));
        await bus.ApplyRetentionAsync(Ct);
        var afterAll = (await bus.GetWatermarksAsync("raw", Ct)).Single();
        afterAll.High.Should().Be(80);
        afterAll.Low.Should().BeLessThan(80, "the active segment is kept even when it is old");
        _directory.SegmentFiles("raw", 0).Should().ContainSingle();
    }

    [Fact]
    public async Task Concurrent_producers_on_one_partition_get_contiguous_offsets_and_lose_nothing()
    {
        await using var bus = new JournalBus(_directory.Options(segmentBytes: 16 * 1024));
        await bus.EnsureTopicAsync(new TopicSpec("raw", 2), Ct);
        const int Producers = 4, Calls = 50, PerCall = 10;

        var produced = await Task.WhenAll(Enumerable.Range(0, Producers).Select(producer => Task.Run(async () =>
        {
            var positions = new List<TopicPartitionOffset>();
            for (var call = 0; call < Calls; call++)
            {
                positions.AddRange(await bus.ProduceAsync("raw", Batch((((producer * Calls) + call) * PerCall), PerCall, partition: 1), Ct));
            }

            return positions;
        })));

        produced.SelectMany(p => p).Select(p => p.Offset).Order().Should().Equal(Enumerable.Range(0, Producers * Calls * PerCall).Select(i => (long)i));
        foreach (var positions in produced)
        {
            positions.Select(p => p.Offset).Should().BeInAscendingOrder("each producer's appends keep their order");
        }

        await using var consumer = bus.Subscribe("parser", ["raw"]);
        var received = await ConsumeAsync(consumer, Producers * Calls * PerCall);
        received.Select(Text).Should().OnlyHaveUniqueItems().And.HaveCount(Producers * Calls * PerCall);
    }

    [Fact]
    public async Task A_topic_spec_change_of_retention_is_kept_and_invalid_names_are_refused()
    {
        await using (var bus = new JournalBus(_directory.Options()))
        {
            await bus.EnsureTopicAsync(new TopicSpec("raw", 1), Ct);
            await bus.EnsureTopicAsync(new TopicSpec("raw", 1) { RetentionBytesPerPartition = 1 }, Ct);
            var invalid = () => bus.EnsureTopicAsync(new TopicSpec("../escape", 1), Ct);
            await invalid.Should().ThrowAsync<BusException>().WithMessage("*not a valid topic name*");
            await bus.ProduceAsync("raw", Batch(0, 3), Ct);
        }

        var spec = await File.ReadAllTextAsync(Path.Combine(_directory.Path, "topics", "raw", "topic.json"), Ct);
        spec.Should().Contain("\"RetentionBytesPerPartition\":1");
    }

    private static BusMessage Message(int n, int? partition = null, DateTimeOffset? timestamp = null) =>
        new(Encoding.UTF8.GetBytes($"message-{n}")) { Partition = partition, Timestamp = timestamp };

    private static BusMessage[] Batch(int first, int count, int? partition = null) =>
        [.. Enumerable.Range(first, count).Select(n => Message(n, partition))];

    private static string Text(ConsumedMessage message) => Encoding.UTF8.GetString(message.Value.Span);

    private static async Task<List<ConsumedMessage>> ConsumeAsync(IBusConsumer consumer, int count)
    {
        var received = new List<ConsumedMessage>();
        var started = Stopwatch.GetTimestamp();
        do
        {
            Stopwatch.GetElapsedTime(started).Should().BeLessThan(TimeSpan.FromSeconds(10), $"{count} messages were expected, {received.Count} arrived");
            received.AddRange(await consumer.ConsumeAsync(Math.Max(count - received.Count, 1), TimeSpan.FromMilliseconds(count == 0 ? 10 : 200), Ct));
        }
        while (received.Count < count);

        return received;
    }
}

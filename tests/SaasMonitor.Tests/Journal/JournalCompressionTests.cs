using System.Diagnostics;
using System.Text;
using SaasMonitor.Core.Bus;
using SaasMonitor.Embedded.Journal;

namespace SaasMonitor.Tests.Journal;

public sealed class JournalCompressionTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly JournalDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(JournalCompression.Zstd)]
    [InlineData(JournalCompression.Lz4)]
    public async Task A_large_produce_call_is_stored_compressed_and_reads_back_message_by_message_with_keys_headers_and_timestamps(JournalCompression codec)
    {
        const int Count = 3000;
        await using (var bus = new JournalBus(_directory.Options(compression: codec)))
        {
            await bus.EnsureTopicAsync(new TopicSpec("events", 1), Ct);
            var positions = await bus.ProduceAsync("events", [.. Enumerable.Range(0, Count).Select(Event)], Ct);
            positions.Select(p => p.Offset).Should().Equal(Enumerable.Range(0, Count).Select(i => (long)i));
        }

        var stored = _directory.SegmentFiles("events", 0).Sum(f => new FileInfo(f).Length);
        var plain = Enumerable.Range(0, Count).Sum(i => Event(i).Value.Length);
        stored.Should().BeLessThan(plain / 3, "log lines repeat most of their bytes, which compression removes");

        await using var reopened = new JournalBus(_directory.Options());
        (await reopened.GetWatermarksAsync("events", Ct)).Single().High.Should().Be(Count);
        await using var consumer = reopened.Subscribe("indexer", ["events"]);
        var received = new List<ConsumedMessage>();
        while (received.Count < Count)
        {
            // Small reads end inside a batch; the rest of it comes with the next read.
            var batch = await consumer.ConsumeAsync(7, TimeSpan.FromSeconds(5), Ct);
            batch.Should().NotBeEmpty().And.HaveCountLessThanOrEqualTo(7);
            received.AddRange(batch);
        }

        received.Select(m => m.Offset).Should().Equal(Enumerable.Range(0, Count).Select(i => (long)i));
        received.Select(Text).Should().Equal(Enumerable.Range(0, Count).Select(i => Text(Event(i))));
        received[1234].Key!.Value.ToArray().Should().Equal(Encoding.UTF8.GetBytes("id-1234"));
        received[1234].Header("schema").Should().Be("logs.events.v1");
        received[1234].Timestamp.Should().Be(Start.AddSeconds(1234));
    }

    [Fact]
    public async Task Seeking_by_offset_and_by_time_lands_inside_a_compressed_batch()
    {
        await using var bus = new JournalBus(_directory.Options());
        await bus.EnsureTopicAsync(new TopicSpec("events", 1), Ct);
        await bus.ProduceAsync("events", [.. Enumerable.Range(0, 2000).Select(Event)], Ct);

        (await bus.GetOffsetsForTimeAsync("events", Start.AddSeconds(1500.5), Ct)).Single().Offset.Should().Be(1501);
        await using var consumer = bus.Subscribe("replay", ["events"]);
        (await consumer.ConsumeAsync(1, TimeSpan.FromSeconds(5), Ct)).Single().Offset.Should().Be(0);
        consumer.Seek(new TopicPartitionOffset("events", 0, 1777));
        var after = await consumer.ConsumeAsync(3, TimeSpan.FromSeconds(5), Ct);
        after.Select(m => m.Offset).Should().Equal(1777, 1778, 1779);
        after.Select(Text).Should().Equal(Text(Event(1777)), Text(Event(1778)), Text(Event(1779)));
    }

    [Theory]
    [InlineData(JournalCompression.None)]
    [InlineData(JournalCompression.Lz4)]
    public async Task A_journal_written_without_compression_or_with_another_codec_opens_and_continues_with_zstandard_batches(JournalCompression before)
    {
        await using (var bus = new JournalBus(_directory.Options(compression: before)))
        {
            await bus.EnsureTopicAsync(new TopicSpec("raw", 1), Ct);
            await bus.ProduceAsync("raw", [.. Enumerable.Range(0, 500).Select(Event)], Ct);
        }

        await using (var bus = new JournalBus(_directory.Options()))
        {
            (await bus.ProduceAsync("raw", [.. Enumerable.Range(500, 500).Select(Event)], Ct))[0].Offset.Should().Be(500);
        }

        await using var reopened = new JournalBus(_directory.Options());
        await using var consumer = reopened.Subscribe("parser", ["raw"]);
        var received = await ConsumeAsync(consumer, 1000);
        received.Select(m => m.Offset).Should().Equal(Enumerable.Range(0, 1000).Select(i => (long)i));
        received.Select(Text).Should().Equal(Enumerable.Range(0, 1000).Select(i => Text(Event(i))));
    }

    [Fact]
    public async Task A_torn_compressed_batch_at_the_tail_is_cut_off_whole_and_the_batches_before_it_stay()
    {
        await using (var bus = new JournalBus(_directory.Options()))
        {
            await bus.EnsureTopicAsync(new TopicSpec("raw", 1), Ct);
            await bus.ProduceAsync("raw", [.. Enumerable.Range(0, 100).Select(Event)], Ct);
            await bus.ProduceAsync("raw", [.. Enumerable.Range(100, 100).Select(Event)], Ct);
        }

        var segment = _directory.SegmentFiles("raw", 0).Single();
        using (var file = new FileStream(segment, FileMode.Open))
        {
            // The second append loses its last bytes, as when a process is killed mid-write: it was never acknowledged.
            file.SetLength(file.Length - 3);
        }

        await using var reopened = new JournalBus(_directory.Options());
        (await reopened.GetWatermarksAsync("raw", Ct)).Single().High.Should().Be(100);
        (await reopened.ProduceAsync("raw", [Event(999)], Ct)).Single().Offset.Should().Be(100);
        await using var consumer = reopened.Subscribe("parser", ["raw"]);
        var received = await ConsumeAsync(consumer, 101);
        received.Select(Text).Should().Equal([.. Enumerable.Range(0, 100).Select(i => Text(Event(i))), Text(Event(999))]);
    }

    private static BusMessage Event(int n) =>
        new(Encoding.UTF8.GetBytes($$"""{"timestamp":"2025-06-01T12:00:00.{{n % 1000:D3}}Z","level":"INFO","service":"api","endpoint":"/api/orders","status_code":200,"message":"request {{n}} handled"}"""))
        {
            Key = Encoding.UTF8.GetBytes($"id-{n}"),
            Headers = [new MessageHeader("schema", "logs.events.v1"u8.ToArray())],
            Timestamp = Start.AddSeconds(n),
            Partition = 0,
        };

    private static string Text(BusMessage message) => Encoding.UTF8.GetString(message.Value.Span);

    private static string Text(ConsumedMessage message) => Encoding.UTF8.GetString(message.Value.Span);

    private static async Task<List<ConsumedMessage>> ConsumeAsync(IBusConsumer consumer, int count)
    {
        var received = new List<ConsumedMessage>();
        var started = Stopwatch.GetTimestamp();
        while (received.Count < count)
        {
            Stopwatch.GetElapsedTime(started).Should().BeLessThan(TimeSpan.FromSeconds(10), $"{count} messages were expected, {received.Count} arrived");
            received.AddRange(await consumer.ConsumeAsync(count - received.Count, TimeSpan.FromMilliseconds(200), Ct));
        }

        return received;
    }
}

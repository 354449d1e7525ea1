using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SaasMonitor.Core.Bus;
using SaasMonitor.Embedded.Journal;
using SaasMonitor.Hosting;
using SaasMonitor.Tests.Journal;

namespace SaasMonitor.Tests.Hosting;

/// <summary>A worker whose downstream store fails holds its batch and its place in the group, on the journal.</summary>
public sealed class BatchConsumerServiceTests : IAsyncDisposable
{
    private const string Topic = "events";
    private const int PerPartition = 20;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private readonly JournalDirectory _directory = new();
    private readonly JournalBus _bus;

    public BatchConsumerServiceTests() => _bus = new JournalBus(_directory.Options());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        await _bus.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task A_worker_that_fails_a_few_times_processes_every_message_once_in_order_without_leaving_the_group()
    {
        await ProduceAsync();
        using var worker = new FlakyWorker(_bus, failures: 3, TimeSpan.FromMilliseconds(20));

        await worker.StartAsync(Ct);
        await UntilAsync(() => worker.Processed.Count >= 2 * PerPartition);
        await worker.StopAsync(Ct);

        foreach (var partition in new[] { 0, 1 })
        {
            worker.Processed.Where(m => m.Partition == partition).Select(m => m.Offset)
                .Should().Equal(Enumerable.Range(0, PerPartition).Select(o => (long)o), "partition {0} is processed once, in order", partition);
        }

        worker.Attempts.Should().BeGreaterThan(3);
        worker.Assignments.Should().Be(1, "the member never left the group, so it was assigned once");
        worker.Revocations.Should().Be(0);
        (await _bus.GetCommittedOffsetsAsync(FlakyWorker.GroupName, Topic, Ct)).Select(o => o.Offset).Should().Equal(PerPartition, PerPartition);
    }

    [Fact]
    public async Task Stopping_a_worker_during_its_back_off_ends_it_without_retrying_or_committing()
    {
        await ProduceAsync();
        using var worker = new FlakyWorker(_bus, failures: int.MaxValue, TimeSpan.FromMinutes(1));
        await worker.StartAsync(Ct);
        await UntilAsync(() => worker.Attempts >= 1);

        await worker.StopAsync(Ct).WaitAsync(Bound, Ct);

        worker.ExecuteTask!.IsCompleted.Should().BeTrue();
        worker.Attempts.Should().Be(1);
        worker.Processed.Should().BeEmpty();
        (await _bus.GetCommittedOffsetsAsync(FlakyWorker.GroupName, Topic, Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task A_partition_taken_away_during_the_back_off_is_left_to_its_new_owner()
    {
        await ProduceAsync();
        using var worker = new FlakyWorker(_bus, failures: int.MaxValue, TimeSpan.FromMilliseconds(50));
        await worker.StartAsync(Ct);
        await UntilAsync(() => worker.Attempts >= 1);
        var other = _bus.Subscribe(FlakyWorker.GroupName, [Topic]);
        var received = new List<ConsumedMessage>();
        await using (other)
        {
            var started = Stopwatch.GetTimestamp();
            while (received.Count < PerPartition)
            {
                Stopwatch.GetElapsedTime(started).Should().BeLessThan(Bound);
                received.AddRange(await other.ConsumeAsync(100, TimeSpan.FromMilliseconds(100), Ct));
            }

            worker.Recover();
            await UntilAsync(() => worker.Processed.Count >= PerPartition);
            await worker.StopAsync(Ct);
        }

        var taken = received.Select(m => m.Partition).Distinct().Should().ContainSingle().Subject;
        received.Select(m => m.Offset).Should().Equal(Enumerable.Range(0, PerPartition).Select(o => (long)o));
        worker.Processed.Should().OnlyContain(m => m.Partition != taken);
        worker.Processed.Select(m => m.Offset).Should().Equal(Enumerable.Range(0, PerPartition).Select(o => (long)o));
        worker.Revocations.Should().Be(1, "the member stayed in the group through the rebalance");
    }

    private async Task ProduceAsync()
    {
        await _bus.EnsureTopicAsync(new TopicSpec(Topic, 2), Ct);
        foreach (var partition in new[] { 0, 1 })
        {
            await _bus.ProduceAsync(
                Topic,
                [.. Enumerable.Range(0, PerPartition).Select(n => new BusMessage(Encoding.UTF8.GetBytes($"m{n}")) { Partition = partition })],
                Ct);
        }
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            Stopwatch.GetElapsedTime(started).Should().BeLessThan(Bound, "the condition should hold well within the bound");
            await Task.Delay(10, Ct);
        }
    }

    /// <summary>Fails its first <c>failures</c> batches, then records what it processes and the group's calls.</summary>
    private sealed class FlakyWorker(IMessageBus bus, int failures, TimeSpan firstBackoff) : BatchConsumerService(bus, NullLogger.Instance)
    {
        public const string GroupName = "workers";
        private int _attempts;
        private int _assignments;
        private int _revocations;
        private bool _recovered;

        public ConcurrentQueue<(int Partition, long Offset)> Processed { get; } = new();

        public int Attempts => Volatile.Read(ref _attempts);

        public int Assignments => Volatile.Read(ref _assignments);

        public int Revocations => Volatile.Read(ref _revocations);

        protected override string Stage => "test";

        protected override string Group => GroupName;

        protected override string Topic => BatchConsumerServiceTests.Topic;

        protected override int MaxBatch => 7;

        protected override TimeSpan FirstBackoff => firstBackoff;

        protected override RebalanceHandlers Handlers => new()
        {
            Assigned = _ =>
            {
                Interlocked.Increment(ref _assignments);
                return [];
            },
            Revoked = _ => Interlocked.Increment(ref _revocations),
        };

        /// <summary>The store is back: every batch from now on succeeds.</summary>
        public void Recover() => Volatile.Write(ref _recovered, true);

        protected override Task ProcessAsync(IReadOnlyList<ConsumedMessage> batch, CancellationToken ct)
        {
            if (Interlocked.Increment(ref _attempts) <= failures && !Volatile.Read(ref _recovered))
            {
                throw new IOException("The store is down.");
            }

            foreach (var m in batch)
            {
                Processed.Enqueue((m.Partition, m.Offset));
            }

            return Task.CompletedTask;
        }
    }
}

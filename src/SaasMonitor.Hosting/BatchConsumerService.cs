using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Telemetry;

namespace SaasMonitor.Hosting;

/// <summary>
/// The loop every worker shares: consume a batch from one topic as a member of one group, process it,
/// then commit the offsets it covers once <see cref="CheckpointAsync"/> says the work is durable.
/// When processing fails (a store down or slow), the member stays in the group: it pauses its partitions, keeps
/// serving the group while it backs off, then retries the same batch, so other members are not rebalanced.
/// When the bus itself fails, the member leaves and rejoins after a back-off, resuming from the last commit, so
/// nothing acknowledged is skipped; work is idempotent downstream, so nothing is counted twice.
/// </summary>
public abstract partial class BatchConsumerService(IMessageBus bus, ILogger logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for the bus while holding a batch, so rebalances are served promptly.</summary>
    private static readonly TimeSpan HoldPoll = TimeSpan.FromSeconds(1);

    /// <summary>The bus the member consumes from, for workers that also produce.</summary>
    protected IMessageBus Bus { get; } = bus;

    protected abstract string Stage { get; }

    protected abstract string Group { get; }

    protected abstract string Topic { get; }

    protected virtual int MaxBatch => 2000;

    protected virtual TimeSpan MaxWait => TimeSpan.FromMilliseconds(100);

    /// <summary>The first wait after a failure; it doubles with each further failure, up to 30 s.</summary>
    protected virtual TimeSpan FirstBackoff => TimeSpan.FromMilliseconds(200);

    protected virtual RebalanceHandlers? Handlers => null;

    /// <summary>Processes one batch (messages of a partition in offset order).</summary>
    protected abstract Task ProcessAsync(IReadOnlyList<ConsumedMessage> batch, CancellationToken ct);

    /// <summary>True when the work done so far is durable and its offsets may be committed; <paramref name="force"/> on idle and shutdown.</summary>
    protected virtual ValueTask<bool> CheckpointAsync(bool force, CancellationToken ct) => ValueTask.FromResult(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var backoff = FirstBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunMemberAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogFailed(logger, Stage, backoff.TotalSeconds, ex);
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(false);
                backoff = Doubled(backoff);
            }
        }
    }

    private static TimeSpan Doubled(TimeSpan backoff) => TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));

    private async Task RunMemberAsync(CancellationToken ct)
    {
        var tag = PipelineMetrics.Stage(Stage);
        var pending = new Dictionary<TopicPartition, long>();
        var consumer = Bus.Subscribe(Group, [Topic], Handlers);
        await using (consumer.ConfigureAwait(false))
        {
            try
            {
                while (!ct.IsCancellationRequested)
                {
                    var batch = await consumer.ConsumeAsync(MaxBatch, MaxWait, ct).ConfigureAwait(false);
                    if (batch.Count > 0)
                    {
                        var started = Stopwatch.GetTimestamp();
                        batch = await ProcessHoldingAsync(consumer, batch, pending, ct).ConfigureAwait(false);
                        foreach (var m in batch)
                        {
                            pending[new TopicPartition(m.Topic, m.Partition)] = m.Offset + 1;
                        }

                        PipelineMetrics.EventsIn.Add(batch.Count, tag);
                        PipelineMetrics.BatchSize.Record(batch.Count, tag);
                        PipelineMetrics.BatchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tag);
                    }

                    await CommitIfReadyAsync(consumer, pending, force: batch.Count == 0, ct).ConfigureAwait(false);
                }
            }
            finally
            {
                if (ct.IsCancellationRequested)
                {
                    // Shutting down: make the finished work durable and record it, so a restart resumes here.
                    await CommitIfReadyAsync(consumer, pending, force: true, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// Processes the batch, retrying it while processing fails: the member's partitions stay paused during each
    /// back-off while it keeps consuming, so it stays in the group. Messages and pending offsets of partitions a
    /// rebalance took away are dropped (their new owner reads them). Returns the messages processed.
    /// </summary>
    private async Task<IReadOnlyList<ConsumedMessage>> ProcessHoldingAsync(
        IBusConsumer consumer, IReadOnlyList<ConsumedMessage> batch, Dictionary<TopicPartition, long> pending, CancellationToken ct)
    {
        var backoff = FirstBackoff;
        var failed = false;
        while (true)
        {
            try
            {
                await ProcessAsync(batch, ct).ConfigureAwait(false);
                break;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                LogHolding(logger, Stage, batch.Count, backoff.TotalSeconds, ex);
            }

            failed = true;
            await HoldAsync(consumer, backoff, ct).ConfigureAwait(false);
            var owned = consumer.Assignment.ToHashSet();
            batch = [.. batch.Where(m => owned.Contains(new TopicPartition(m.Topic, m.Partition)))];
            foreach (var revoked in pending.Keys.Where(p => !owned.Contains(p)).ToList())
            {
                pending.Remove(revoked);
            }

            if (batch.Count == 0)
            {
                break;
            }

            backoff = Doubled(backoff);
        }

        if (failed)
        {
            // A rebalance during the hold may have moved the read positions back: continue after the batch.
            foreach (var last in batch.GroupBy(m => new TopicPartition(m.Topic, m.Partition), m => m.Offset))
            {
                consumer.Seek(new TopicPartitionOffset(last.Key.Topic, last.Key.Partition, last.Max() + 1));
            }

            consumer.Resume(consumer.Assignment);
        }

        return batch;
    }

    /// <summary>
    /// Waits <paramref name="duration"/> with every owned partition paused, consuming meanwhile so the group keeps
    /// the member. A rebalance lifts the pause: what it delivers is put back (read again after the retry) and the new
    /// assignment is paused.
    /// </summary>
    private async Task HoldAsync(IBusConsumer consumer, TimeSpan duration, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        consumer.Pause(consumer.Assignment);
        for (var remaining = duration; remaining > TimeSpan.Zero; remaining = duration - Stopwatch.GetElapsedTime(started))
        {
            var delivered = await consumer.ConsumeAsync(MaxBatch, remaining < HoldPoll ? remaining : HoldPoll, ct).ConfigureAwait(false);
            foreach (var first in delivered.GroupBy(m => new TopicPartition(m.Topic, m.Partition), m => m.Offset))
            {
                consumer.Seek(new TopicPartitionOffset(first.Key.Topic, first.Key.Partition, first.Min()));
            }

            consumer.Pause(consumer.Assignment);
        }
    }

    private async Task CommitIfReadyAsync(IBusConsumer consumer, Dictionary<TopicPartition, long> pending, bool force, CancellationToken ct)
    {
        if (pending.Count == 0 || !await CheckpointAsync(force, ct).ConfigureAwait(false))
        {
            return;
        }

        await consumer.CommitAsync([.. pending.Select(p => new TopicPartitionOffset(p.Key.Topic, p.Key.Partition, p.Value))], ct).ConfigureAwait(false);
        pending.Clear();
    }

    [LoggerMessage(LogLevel.Error, "The {Stage} worker failed; rejoining in {Seconds} s from the last committed offsets")]
    private static partial void LogFailed(ILogger logger, string stage, double seconds, Exception ex);

    [LoggerMessage(LogLevel.Warning, "The {Stage} worker could not process {Count} messages; its partitions are paused and the batch is retried in {Seconds} s, staying in the group")]
    private static partial void LogHolding(ILogger logger, string stage, int count, double seconds, Exception ex);
}

using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Telemetry;

namespace SaasMonitor.Hosting;

/// <summary>
/// The loop every worker shares: consume a batch from one topic as a member of one group, process it,
/// then commit the offsets it covers once <see cref="CheckpointAsync"/> says the work is durable.
/// A failure is logged and the member rejoins after a back-off, resuming from the last commit, so nothing
/// acknowledged is skipped; work is idempotent downstream, so nothing is counted twice.
/// </summary>
public abstract partial class BatchConsumerService(IMessageBus bus, ILogger logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>The bus the member consumes from, for workers that also produce.</summary>
    protected IMessageBus Bus { get; } = bus;

    protected abstract string Stage { get; }

    protected abstract string Group { get; }

    protected abstract string Topic { get; }

    protected virtual int MaxBatch => 2000;

    protected virtual TimeSpan MaxWait => TimeSpan.FromMilliseconds(100);

    protected virtual RebalanceHandlers? Handlers => null;

    /// <summary>Processes one batch (messages of a partition in offset order).</summary>
    protected abstract Task ProcessAsync(IReadOnlyList<ConsumedMessage> batch, CancellationToken ct);

    /// <summary>True when the work done so far is durable and its offsets may be committed; <paramref name="force"/> on idle and shutdown.</summary>
    protected virtual ValueTask<bool> CheckpointAsync(bool force, CancellationToken ct) => ValueTask.FromResult(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var backoff = TimeSpan.FromMilliseconds(200);
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
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

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
                        await ProcessAsync(batch, ct).ConfigureAwait(false);
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
}

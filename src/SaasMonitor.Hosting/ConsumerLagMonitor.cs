using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Telemetry;

namespace SaasMonitor.Hosting;

/// <summary>Lag of one consumer group on one partition: messages written but not yet committed.</summary>
public sealed record PartitionLag(string Group, string Topic, int Partition, long Committed, long High)
{
    public long Lag => Math.Max(0, High - Committed);
}

/// <summary>Which consumer groups a process watches for lag.</summary>
public sealed class LagWatch
{
    /// <summary>True where the whole pipeline's lag is shown (the dashboard), whichever processes run the workers.</summary>
    public bool WholePipeline { get; set; }
}

/// <summary>
/// Samples consumer lag every few seconds for /metrics and /api/health: of this process's worker groups, and of every
/// worker group when <see cref="LagWatch.WholePipeline"/> is set.
/// </summary>
public sealed partial class ConsumerLagMonitor(
    IMessageBus bus,
    IEnumerable<ConsumerGroup> localGroups,
    IOptions<LagWatch> watch,
    IOptions<SaasMonitorOptions> options,
    ILogger<ConsumerLagMonitor> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private readonly ConsumerGroup[] _groups =
        [.. localGroups.Concat(watch.Value.WholePipeline ? PipelineGroups.All(options.Value.Topics) : []).Distinct()];
    private volatile IReadOnlyList<PartitionLag> _latest = [];

    public IReadOnlyList<PartitionLag> Latest => _latest;

    public async Task<IReadOnlyList<PartitionLag>> SampleAsync(CancellationToken ct)
    {
        var lags = new List<PartitionLag>();
        foreach (var g in _groups)
        {
            var watermarks = await bus.GetWatermarksAsync(g.Topic, ct).ConfigureAwait(false);
            var committed = (await bus.GetCommittedOffsetsAsync(g.Group, g.Topic, ct).ConfigureAwait(false))
                .ToDictionary(o => o.Partition, o => o.Offset);
            foreach (var w in watermarks)
            {
                lags.Add(new PartitionLag(g.Group, g.Topic, w.Partition, committed.GetValueOrDefault(w.Partition, w.Low), w.High));
            }
        }

        _latest = lags;
        return lags;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        PipelineMetrics.ObserveLag(() => _latest.Select(l => new Measurement<long>(
            l.Lag, new KeyValuePair<string, object?>("group", l.Group), new KeyValuePair<string, object?>("partition", l.Partition))));
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await SampleAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSampleFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(LogLevel.Warning, "Consumer lag could not be sampled")]
    private static partial void LogSampleFailed(ILogger logger, Exception ex);
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Caching;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Kpis;
using SaasMonitor.Core.Telemetry;
using SaasMonitor.Hosting;

namespace Aggregator.Worker;

/// <summary>
/// Rolls events into minute, hour and day KPI windows. The windows and the offsets they cover are stored in one
/// transaction, and the member resumes from those stored offsets, so a crash never counts an event twice.
/// An events partition is written by one parser in raw-offset order; events whose raw origin is not past the
/// last one aggregated for that partition are re-publications after a parser restart and are skipped.
/// </summary>
internal sealed class AggregatorService(
    IMessageBus bus,
    IKpiStore kpis,
    IHotCache cache,
    IOptions<SaasMonitorOptions> options,
    ILogger<AggregatorService> logger)
    : BatchConsumerService(bus, logger)
{
    public const string GroupName = PipelineGroups.Aggregator;

    private static readonly KeyValuePair<string, object?> StageTag = PipelineMetrics.Stage("aggregator");

    private readonly ConcurrentDictionary<int, long> _rawSeen = new();

    protected override string Stage => "aggregator";

    protected override string Group => GroupName;

    protected override string Topic => options.Value.Topics.Events;

    protected override int MaxBatch => 10000;

    protected override RebalanceHandlers Handlers => new() { Assigned = ResumeFromStore };

    protected override async Task ProcessAsync(IReadOnlyList<ConsumedMessage> batch, CancellationToken ct)
    {
        var kpiBatch = new KpiBatch();
        var next = new Dictionary<int, long>();
        var seen = new Dictionary<int, long>();
        var skipped = 0;
        foreach (var m in batch)
        {
            next[m.Partition] = m.Offset + 1;
            // KPIs read neither the message, the raw line nor the extra fields: they are skipped undecoded.
            var e = LogEventReader.Read(m.Value.Span, withText: false);
            if (RawOrigin.TryPack(e.Id, out var origin))
            {
                var last = seen.TryGetValue(m.Partition, out var s) ? s : _rawSeen.GetValueOrDefault(m.Partition, -1);
                if (origin <= last)
                {
                    skipped++;
                    continue;
                }

                seen[m.Partition] = origin;
            }

            kpiBatch.Add(e);
        }

        var o = options.Value;
        var offsets = next.Select(p => new TopicPartitionOffset(o.Topics.Events, p.Key, p.Value))
            .Concat(seen.Select(p => new TopicPartitionOffset(o.Topics.Raw, p.Key, p.Value)))
            .ToList();
        await kpis.ApplyAsync(kpiBatch, GroupName, offsets, ct).ConfigureAwait(false);
        foreach (var (partition, origin) in seen)
        {
            _rawSeen[partition] = origin;
        }

        await cache.InvalidateRegionAsync(CacheRegions.Kpi, ct).ConfigureAwait(false);
        PipelineMetrics.EventsOut.Add(kpiBatch.EventCount, StageTag);
        if (skipped > 0)
        {
            PipelineMetrics.Failures.Add(skipped, PipelineMetrics.Stage("aggregator-duplicate"));
        }
    }

    /// <summary>On assignment, resume from the offsets stored with the windows, not from the bus's commits.</summary>
    private IReadOnlyList<TopicPartitionOffset> ResumeFromStore(IReadOnlyCollection<TopicPartition> assigned)
    {
        var o = options.Value;
        var stored = kpis.GetOffsets(GroupName);
        foreach (var s in stored.Where(s => s.Topic == o.Topics.Raw))
        {
            _rawSeen[s.Partition] = s.Offset;
        }

        return [.. stored.Where(s => s.Topic == o.Topics.Events && assigned.Contains(s.TopicPartition))];
    }
}

/// <summary>The raw origin of a parsed event, packed as raw offset × 2^20 + record index, so origins compare in stream order.</summary>
internal static class RawOrigin
{
    private const int IndexBits = 20;

    /// <summary>Reads an event id of the form "{partition}-{offset}-{index}".</summary>
    public static bool TryPack(string eventId, out long packed)
    {
        packed = 0;
        var span = eventId.AsSpan();
        var first = span.IndexOf('-');
        var last = span.LastIndexOf('-');
        if (first <= 0 || last <= first
            || !long.TryParse(span[(first + 1)..last], out var offset)
            || !int.TryParse(span[(last + 1)..], out var index)
            || index >= 1 << IndexBits)
        {
            return false;
        }

        packed = (offset << IndexBits) | (uint)index;
        return true;
    }
}

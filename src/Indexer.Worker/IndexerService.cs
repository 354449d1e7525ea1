using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Search;
using SaasMonitor.Core.Telemetry;
using SaasMonitor.Hosting;
using SaasMonitor.Hosting.DeadLetters;

namespace Indexer.Worker;

/// <summary>
/// Bulk-writes events into the search store by their deterministic id (a replay overwrites, never duplicates).
/// Offsets are committed only after the store has made the batches durable. The bus is the index's write-ahead
/// log: a store commit (an fsync of new segments) runs every few seconds, and after a crash the events since the
/// last one are indexed again from the bus. How often it commits is <see cref="IndexerOptions.CommitInterval"/>.
/// Events the store refuses for good (a value its mapping cannot hold) go to the dead-letter topic with the store's reason.
/// </summary>
internal sealed class IndexerService(
    IMessageBus bus,
    ISearchStore search,
    IOptions<SaasMonitorOptions> options,
    IOptions<IndexerOptions> indexer,
    TimeProvider time,
    ILogger<IndexerService> logger)
    : BatchConsumerService(bus, logger)
{
    public const string GroupName = PipelineGroups.Indexer;

    /// <summary>The error type of an event the search store refused (its reason says why).</summary>
    public const string RejectedByIndex = "index-rejected";

    private static readonly KeyValuePair<string, object?> StageTag = PipelineMetrics.Stage("indexer");

    private readonly TimeSpan _flushInterval = indexer.Value.CommitInterval;

    private long _lastFlush = time.GetTimestamp();

    protected override string Stage => "indexer";

    protected override string Group => GroupName;

    protected override string Topic => options.Value.Topics.Events;

    protected override int MaxBatch => 5000;

    protected override async Task ProcessAsync(IReadOnlyList<ConsumedMessage> batch, CancellationToken ct)
    {
        var events = new LogEvent[batch.Count];
        var json = new ReadOnlyMemory<byte>[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            json[i] = batch[i].Value;
            events[i] = LogEventReader.Read(json[i].Span);
        }

        // The store keeps the message's JSON as the event's source rather than writing the event out again.
        var rejected = await search.UpsertAsync(events, json, ct).ConfigureAwait(false);
        if (rejected.Count > 0)
        {
            // Produced before the batch counts as done, so its offsets are never committed past an event neither indexed nor dead-lettered.
            await Bus.ProduceAsync(options.Value.Topics.DeadLetter, [.. rejected.Select(r => DeadLetter(batch[r.Index], events[r.Index], r.Reason))], ct).ConfigureAwait(false);
            PipelineMetrics.Failures.Add(rejected.Count, StageTag);
        }

        PipelineMetrics.EventsOut.Add(events.Length - rejected.Count, StageTag);
    }

    /// <summary>
    /// An event the store refused, as a dead letter: its JSON with the store's reason, marked as JSON from its source and
    /// file, so a redrive (after the cause is fixed) parses it again into an event.
    /// </summary>
    private static BusMessage DeadLetter(ConsumedMessage message, LogEvent e, string reason)
    {
        List<MessageHeader> carried = [DeadLetterMessage.Header(RawRecordHeaders.Format, RawFormats.Name(RawFormat.Json))];
        if (e.Source is not null)
        {
            carried.Add(DeadLetterMessage.Header(RawRecordHeaders.Source, e.Source));
        }

        if (e.FileId is not null)
        {
            carried.Add(DeadLetterMessage.Header(RawRecordHeaders.FileId, e.FileId));
        }

        return DeadLetterMessage.Create(message, 0, RejectedByIndex, reason, message.Value, carried);
    }

    protected override async ValueTask<bool> CheckpointAsync(bool force, CancellationToken ct)
    {
        if (!force && time.GetElapsedTime(_lastFlush) < _flushInterval)
        {
            return false;
        }

        var started = Stopwatch.GetTimestamp();
        await search.FlushAsync(ct).ConfigureAwait(false);
        _lastFlush = time.GetTimestamp();
        PipelineMetrics.BatchDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, PipelineMetrics.Stage("indexer-commit"));
        return true;
    }
}

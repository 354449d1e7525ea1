using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Parser.Worker.Parsing;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Metadata;
using SaasMonitor.Core.Telemetry;
using SaasMonitor.Hosting;
using SaasMonitor.Hosting.DeadLetters;

namespace Parser.Worker;

/// <summary>
/// Turns raw records into typed events on the events topic (same partition number, so each events partition
/// has one writer and its events stay in raw-offset order), sends records that cannot be parsed to the
/// dead-letter topic with their bytes and the reason, and reports progress of uploaded files.
/// </summary>
internal sealed class ParserService(
    IMessageBus bus, IMetadataStore metadata, IOptions<SaasMonitorOptions> options, IOptions<ParsingOptions> parsing, ILogger<ParserService> logger)
    : BatchConsumerService(bus, logger)
{
    public const string GroupName = PipelineGroups.Parser;

    private static readonly KeyValuePair<string, object?> StageTag = PipelineMetrics.Stage("parser");

    // Every event message shares this one list: the schema header is pre-encoded, nothing is allocated per event.
    private static readonly MessageHeader[] EventHeaders = [MessageSchemas.Events.Header];

    private readonly LogParser _parser = new(parsing.Value.MultiLineStarts(), parsing.Value.SourcePatterns());
    private readonly List<LogEvent> _events = [];
    private readonly List<ParseFailure> _failures = [];

    protected override string Stage => "parser";

    protected override string Group => GroupName;

    protected override string Topic => options.Value.Topics.Raw;

    // Raw records are up to ChunkBytes (1 MiB) each; 16 bounds a batch to about 16 MiB of input.
    protected override int MaxBatch => 16;

    protected override async Task ProcessAsync(IReadOnlyList<ConsumedMessage> batch, CancellationToken ct)
    {
        var topics = options.Value.Topics;
        var eventMessages = new List<BusMessage>(batch.Count * 16);
        var deadLetters = new List<BusMessage>();
        var chunks = new List<FileChunkResult>();
        foreach (var raw in batch)
        {
            _events.Clear();
            _failures.Clear();
            var fileId = raw.Header(RawRecordHeaders.FileId);
            RawFormat format;
            try
            {
                format = LogParser.FormatFromName(raw.Header(RawRecordHeaders.Format));
            }
            catch (ArgumentException ex)
            {
                _failures.Add(new ParseFailure(0, raw.Value, "unknown-format", ex.Message));
                format = RawFormat.Auto;
            }

            if (_failures.Count == 0)
            {
                var context = new RawContext(raw.Partition, raw.Offset, raw.Header(RawRecordHeaders.Source), fileId, ReceivedAt(raw));
                _parser.Parse(raw.Value.Span, format, context, _events, _failures);
            }

            foreach (var e in _events)
            {
                eventMessages.Add(new BusMessage(JsonSerializer.SerializeToUtf8Bytes(e, LogEventJson.Event))
                {
                    Key = Encoding.UTF8.GetBytes(e.Id),
                    Headers = EventHeaders,
                    Partition = raw.Partition,
                });
            }

            foreach (var f in _failures)
            {
                deadLetters.Add(DeadLetter(raw, f));
            }

            if (fileId is not null)
            {
                chunks.Add(new FileChunkResult(fileId, raw.Partition, raw.Offset, _events.Count, _failures.Count));
            }
        }

        await Bus.ProduceAsync(topics.Events, eventMessages, ct).ConfigureAwait(false);
        if (deadLetters.Count > 0)
        {
            await Bus.ProduceAsync(topics.DeadLetter, deadLetters, ct).ConfigureAwait(false);
            PipelineMetrics.Failures.Add(deadLetters.Count, StageTag);
        }

        if (chunks.Count > 0)
        {
            await metadata.RecordChunksAsync(chunks, ct).ConfigureAwait(false);
        }

        PipelineMetrics.EventsOut.Add(eventMessages.Count, StageTag);
    }

    private static DateTimeOffset ReceivedAt(ConsumedMessage raw) =>
        long.TryParse(raw.Header(RawRecordHeaders.ReceivedAt), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : raw.Timestamp;

    private static BusMessage DeadLetter(ConsumedMessage raw, ParseFailure failure) => DeadLetterMessage.Create(
        raw, failure.Index, failure.ErrorType, failure.Reason, failure.Original,
        raw.Headers.Where(h => h.Key is RawRecordHeaders.Source or RawRecordHeaders.FileId or RawRecordHeaders.Format));
}

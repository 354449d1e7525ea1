using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Telemetry;
using SaasMonitor.Hosting;

namespace Ingest.Gateway;

/// <summary>Appends raw records to the raw topic, stamped with their source, file and receive time; returns once they are durable.</summary>
internal sealed class RawWriter(IMessageBus bus, IOptions<SaasMonitorOptions> options, TimeProvider time, DiskSpace disk)
{
    private static readonly KeyValuePair<string, object?> Stage = PipelineMetrics.Stage("gateway");

    /// <param name="key">Chunks with the same key land in one partition, in order; null spreads them.</param>
    public async Task AppendAsync(IReadOnlyList<RawChunk> chunks, string source, string? fileId, string? key, CancellationToken ct)
    {
        if (chunks.Count == 0)
        {
            return;
        }

        var receivedAt = Encoding.UTF8.GetBytes(time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        var sourceBytes = Encoding.UTF8.GetBytes(source);
        var keyBytes = key is null ? (ReadOnlyMemory<byte>?)null : Encoding.UTF8.GetBytes(key);
        var messages = new BusMessage[chunks.Count];
        for (var i = 0; i < chunks.Count; i++)
        {
            var headers = new List<MessageHeader>(5)
            {
                MessageSchemas.Raw.Header,
                new(RawRecordHeaders.Format, FormatName(chunks[i].Format)),
                new(RawRecordHeaders.Source, sourceBytes),
                new(RawRecordHeaders.ReceivedAt, receivedAt),
            };
            if (fileId is not null)
            {
                headers.Add(new(RawRecordHeaders.FileId, Encoding.UTF8.GetBytes(fileId)));
            }

            messages[i] = new BusMessage(chunks[i].Payload) { Key = keyBytes, Headers = headers };
        }

        await bus.ProduceAsync(options.Value.Topics.Raw, messages, ct).ConfigureAwait(false);
        disk.ReportWritten();
        PipelineMetrics.EventsOut.Add(chunks.Sum(c => c.Records), Stage);
    }

    private static readonly Dictionary<RawFormat, byte[]> FormatNames = Enum.GetValues<RawFormat>()
        .ToDictionary(f => f, f => Encoding.UTF8.GetBytes(RawFormats.Name(f)));

    private static byte[] FormatName(RawFormat format) => FormatNames[format];
}

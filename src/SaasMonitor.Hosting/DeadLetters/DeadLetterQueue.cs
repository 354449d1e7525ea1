using System.Text;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;
using SaasMonitor.Core.Identity;
using SaasMonitor.Hosting.Security;

namespace SaasMonitor.Hosting.DeadLetters;

/// <summary>
/// The dead-letter topic as users work with it — list, read, redrive — for the dashboard, the REST API and the
/// operator commands alike. Reading moves no consumer group's offsets, so it works while the pipeline runs.
/// A redrive re-sends each dead letter once: the consumer group <see cref="ProgressGroup"/> commits how far a redrive
/// of all got, and the ledger topic (<c>&lt;dead-letter topic&gt;.redriven</c>) holds the origin of every re-sent
/// dead letter, so neither a selected redrive nor a duplicate dead letter (after a parser replay) re-sends what was
/// re-sent before. Both are written after the re-sent records are durable.
/// </summary>
public sealed class DeadLetterQueue(IMessageBus bus, SaasMonitorOptions options, AuditLog audit)
{
    public const string ProgressGroup = "saasmon-dlq-redrive";

    /// <summary>How many of the newest dead letters per partition a filtered listing looks through.</summary>
    public const int ScanLimit = 10_000;

    public string Topic => options.Topics.DeadLetter;

    private string Ledger => Topic + ".redriven";

    /// <summary>The held offsets of each partition of the dead-letter topic.</summary>
    public Task<IReadOnlyList<PartitionWatermark>> WatermarksAsync(CancellationToken ct) => bus.GetWatermarksAsync(Topic, ct);

    /// <summary>Dead letters oldest first from <paramref name="fromOffset"/> (default: the oldest held) in each partition.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ReadAsync(long? fromOffset, int limit, CancellationToken ct)
    {
        var ranges = (await WatermarksAsync(ct).ConfigureAwait(false)).ToDictionary(w => w.Partition, w =>
        {
            var from = Math.Clamp(fromOffset ?? w.Low, w.Low, w.High);
            return new OffsetRange(from, Math.Min(w.High, from + limit));
        });
        var letters = new List<DeadLetter>(limit);
        await foreach (var batch in TopicReader.ReadAsync(bus, Topic, ranges, ct).ConfigureAwait(false))
        {
            letters.AddRange(batch.Take(limit - letters.Count).Select(DeadLetter.Of));
            if (letters.Count == limit)
            {
                break;
            }
        }

        return letters;
    }

    /// <summary>
    /// A page of dead letters, newest first; with <paramref name="fileId"/>, only that upload's (among the newest
    /// <see cref="ScanLimit"/> of each partition). Total counts every dead letter the page is taken from.
    /// </summary>
    public async Task<DeadLetterPage> ListNewestAsync(int skip, int limit, string? fileId, CancellationToken ct)
    {
        var watermarks = await WatermarksAsync(ct).ConfigureAwait(false);
        var window = fileId is null ? skip + limit : ScanLimit;
        var ranges = watermarks.ToDictionary(w => w.Partition, w => new OffsetRange(Math.Max(w.Low, w.High - window), w.High));
        var letters = new List<DeadLetter>();
        await foreach (var batch in TopicReader.ReadAsync(bus, Topic, ranges, ct).ConfigureAwait(false))
        {
            letters.AddRange(batch.Select(DeadLetter.Of).Where(d => fileId is null || d.FileId == fileId));
        }

        var newest = letters.OrderByDescending(d => d.AppendedAt).ThenByDescending(d => d.Position.Offset).ToList();
        var total = fileId is null ? watermarks.Sum(w => w.High - w.Low) : newest.Count;
        return new DeadLetterPage(total, [.. newest.Skip(skip).Take(limit)]);
    }

    /// <exception cref="DeadLetterNotFoundException">The topic does not hold it.</exception>
    public async Task<DeadLetter> GetAsync(DeadLetterPosition position, CancellationToken ct)
    {
        var ranges = RangesOf([position], await WatermarksAsync(ct).ConfigureAwait(false));
        await foreach (var batch in TopicReader.ReadAsync(bus, Topic, ranges, ct).ConfigureAwait(false))
        {
            return DeadLetter.Of(batch[0]);
        }

        throw new DeadLetterNotFoundException($"Dead letter {position} could not be read from {Topic}.");
    }

    /// <summary>
    /// Re-sends <paramref name="selected"/> (or, when null, every dead letter past the progress group's offsets) to
    /// its origin topic with its source, file-id and format headers — or <paramref name="format"/>, to fix records
    /// sent with the wrong format — and attempt = previous attempt + 1. A redrive that sends is audited as <paramref name="actor"/>'s.
    /// </summary>
    /// <exception cref="DeadLetterNotFoundException">A selected position the topic does not hold.</exception>
    public async Task<RedriveResult> RedriveAsync(IReadOnlyList<DeadLetterPosition>? selected, RawFormat? format, bool dryRun, Actor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await bus.EnsureTopicAsync(new TopicSpec(Ledger, 1) { RetentionTime = TimeSpan.FromDays(options.BusRetentionDays * 4) }, ct).ConfigureAwait(false);
        var redriven = await RedrivenOriginsAsync(ct).ConfigureAwait(false);
        var watermarks = await WatermarksAsync(ct).ConfigureAwait(false);
        Dictionary<int, OffsetRange> ranges;
        if (selected is null)
        {
            var progress = (await bus.GetCommittedOffsetsAsync(ProgressGroup, Topic, ct).ConfigureAwait(false)).ToDictionary(o => o.Partition, o => o.Offset);
            ranges = watermarks.ToDictionary(w => w.Partition, w => new OffsetRange(Math.Clamp(progress.GetValueOrDefault(w.Partition, w.Low), w.Low, w.High), w.High));
        }
        else
        {
            ranges = RangesOf(selected, watermarks);
        }

        var wanted = selected?.ToHashSet();
        var items = new List<RedriveItem>();
        await foreach (var batch in TopicReader.ReadAsync(bus, Topic, ranges, ct).ConfigureAwait(false))
        {
            var resend = new List<(ConsumedMessage Dead, string Origin)>();
            foreach (var dead in batch.Where(d => wanted is null || wanted.Contains(new DeadLetterPosition(d.Partition, d.Offset))))
            {
                var origin = DeadLetter.OriginOf(dead);
                var fresh = redriven.Add(origin);
                if (fresh)
                {
                    resend.Add((dead, origin));
                }

                items.Add(new RedriveItem(new DeadLetterPosition(dead.Partition, dead.Offset), origin, fresh));
            }

            if (!dryRun)
            {
                await ResendAsync(resend, format, ct).ConfigureAwait(false);
                if (selected is null)
                {
                    await bus.SetCommittedOffsetsAsync(
                        ProgressGroup,
                        [.. batch.GroupBy(m => m.Partition).Select(g => new TopicPartitionOffset(Topic, g.Key, g.Max(m => m.Offset) + 1))],
                        ct).ConfigureAwait(false);
                }
            }
        }

        var result = new RedriveResult(items, dryRun);
        if (!dryRun)
        {
            var detail = $"{result.Resent} re-sent, {result.Skipped} skipped{(format is null ? "" : $", format {RawFormats.Name(format.Value)}")}";
            await audit.RecordAsync(actor.Name, actor.Address, AuditActions.Redrive, Topic, success: true, detail, ct).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>The dead letter's original bytes as a raw record: its source, file-id and format (or <paramref name="format"/>), the next attempt.</summary>
    private static BusMessage RawRecord(ConsumedMessage dead, RawFormat? format)
    {
        var headers = new List<MessageHeader>(4);
        foreach (var h in dead.Headers)
        {
            if (h.Key is RawRecordHeaders.Source or RawRecordHeaders.FileId || (h.Key == RawRecordHeaders.Format && format is null))
            {
                headers.Add(h);
            }
        }

        if (format is { } f)
        {
            headers.Add(new MessageHeader(RawRecordHeaders.Format, Encoding.UTF8.GetBytes(RawFormats.Name(f))));
        }

        headers.Add(new MessageHeader(DeadLetterHeaders.Attempt, Encoding.UTF8.GetBytes((DeadLetter.AttemptOf(dead) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        headers.Add(MessageSchemas.Raw.Header);
        return new BusMessage(dead.Value) { Headers = headers };
    }

    /// <summary>Ranges that cover exactly <paramref name="positions"/>, refusing a position the topic does not hold.</summary>
    private Dictionary<int, OffsetRange> RangesOf(IReadOnlyList<DeadLetterPosition> positions, IReadOnlyList<PartitionWatermark> watermarks)
    {
        foreach (var p in positions)
        {
            var w = watermarks.FirstOrDefault(w => w.Partition == p.Partition);
            if (w.Topic is null || p.Offset < w.Low || p.Offset >= w.High)
            {
                var held = w.Topic is null ? $"it has partitions 0 to {watermarks.Count - 1}" : $"partition {p.Partition} holds offsets {w.Low} to {w.High - 1}";
                throw new DeadLetterNotFoundException($"There is no dead letter {p} on {Topic}: {held}.");
            }
        }

        return positions.GroupBy(p => p.Partition).ToDictionary(g => g.Key, g => new OffsetRange(g.Min(p => p.Offset), g.Max(p => p.Offset) + 1));
    }

    /// <summary>Sends the raw records (durable first), then records their origins in the ledger.</summary>
    private async Task ResendAsync(List<(ConsumedMessage Dead, string Origin)> resend, RawFormat? format, CancellationToken ct)
    {
        if (resend.Count == 0)
        {
            return;
        }

        foreach (var byTopic in resend.GroupBy(r => r.Dead.Header(DeadLetterHeaders.OriginTopic) ?? options.Topics.Raw))
        {
            await bus.ProduceAsync(byTopic.Key, [.. byTopic.Select(r => RawRecord(r.Dead, format))], ct).ConfigureAwait(false);
        }

        await bus.ProduceAsync(
            Ledger,
            [.. resend.Select(r => new BusMessage(Encoding.UTF8.GetBytes(new DeadLetterPosition(r.Dead.Partition, r.Dead.Offset).ToString())) { Key = Encoding.UTF8.GetBytes(r.Origin) })],
            ct).ConfigureAwait(false);
    }

    private async Task<HashSet<string>> RedrivenOriginsAsync(CancellationToken ct)
    {
        var origins = new HashSet<string>(StringComparer.Ordinal);
        var ranges = (await bus.GetWatermarksAsync(Ledger, ct).ConfigureAwait(false)).ToDictionary(w => w.Partition, w => new OffsetRange(w.Low, w.High));
        await foreach (var batch in TopicReader.ReadAsync(bus, Ledger, ranges, ct).ConfigureAwait(false))
        {
            foreach (var m in batch)
            {
                origins.Add(Encoding.UTF8.GetString(m.Key.GetValueOrDefault().Span));
            }
        }

        return origins;
    }
}

/// <summary>A page of dead letters and how many there are in all.</summary>
public sealed record DeadLetterPage(long Total, IReadOnlyList<DeadLetter> Letters);

/// <summary>One dead letter a redrive looked at: re-sent, or skipped because it was re-sent before.</summary>
public sealed record RedriveItem(DeadLetterPosition Position, string Origin, bool Resent);

/// <summary>What a redrive did (or, for a dry run, would do).</summary>
public sealed record RedriveResult(IReadOnlyList<RedriveItem> Items, bool DryRun)
{
    public int Resent => Items.Count(i => i.Resent);

    public int Skipped => Items.Count(i => !i.Resent);
}

/// <summary>A dead letter asked for by position that the dead-letter topic does not hold.</summary>
public sealed class DeadLetterNotFoundException(string message) : Exception(message);

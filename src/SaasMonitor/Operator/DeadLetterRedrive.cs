using System.CommandLine;
using System.Globalization;
using System.Text;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Identity;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Operator;

/// <summary>
/// <c>saasmon dlq redrive</c>: re-sends dead letters' original bytes to their origin topic as new raw records, once each.
/// Two records keep it once: the consumer group <see cref="ProgressGroup"/> commits how far <c>--all</c> got on the
/// dead-letter topic, and the ledger topic (<c>&lt;dead-letter topic&gt;.redriven</c>) holds the origin of every
/// re-sent dead letter, so neither a selected redrive nor a duplicate dead letter (after a parser replay) re-sends
/// what was re-sent before. Both are written after the re-sent records are durable.
/// </summary>
internal static class DeadLetterRedrive
{
    public const string ProgressGroup = "saasmon-dlq-redrive";

    private const string Description = """
        Re-sends dead letters' original bytes to their origin topic with their source, file-id and format headers
        (or --format, to fix records sent with the wrong format) and attempt = previous attempt + 1. Each dead letter
        is re-sent once: a second redrive skips what was re-sent before (also a duplicate dead letter left by a parser
        replay). Stop the server first on the embedded bus. Examples:
          saasmon dlq redrive --all --format text --dry-run
          saasmon dlq redrive 0:12 0:13
        """;

    public static Command Create(Option<string> dataDirectory)
    {
        var all = new Option<bool>("--all") { Description = "Every dead letter not redriven yet." };
        var positions = new Argument<DeadLetterPosition[]>("positions")
        {
            Description = "Dead letters as partition:offset (see dlq list).",
            Arity = ArgumentArity.ZeroOrMore,
            CustomParser = DeadLetterCommands.ParsePositions,
        };
        var format = new Option<string?>("--format") { Description = "Send with this format instead of the dead letter's own." };
        format.AcceptOnlyFromAmong([.. Enum.GetValues<RawFormat>().Select(RawFormats.Name)]);
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would be re-sent, send nothing." };
        var command = new Command("redrive", Description) { all, positions, format, dryRun };
        command.Validators.Add(r =>
        {
            var selected = r.GetResult(positions) is { Tokens.Count: > 0 };
            if (r.GetValue(all) == selected)
            {
                r.AddError("Give either --all or the positions (partition:offset) of the dead letters to redrive.");
            }
        });
        OperatorCommands.SetAction(command, dataDirectory, "redriving dead letters", (session, parse, ct) =>
            RunAsync(session, parse.GetValue(all) ? null : parse.GetValue(positions), parse.GetValue(format), parse.GetValue(dryRun), ct));
        return command;
    }

    /// <summary>Redrives <paramref name="selected"/>, or every dead letter past the progress group's offsets when null.</summary>
    internal static async Task RunAsync(OperatorSession session, IReadOnlyList<DeadLetterPosition>? selected, string? format, bool dryRun, CancellationToken ct)
    {
        var topic = session.Options.Topics.DeadLetter;
        var ledger = topic + ".redriven";
        var bus = session.Bus;
        var output = session.Output;
        await bus.EnsureTopicAsync(new TopicSpec(ledger, 1) { RetentionTime = TimeSpan.FromDays(session.Options.BusRetentionDays * 4) }, ct).ConfigureAwait(false);
        var redriven = await RedrivenOriginsAsync(bus, ledger, ct).ConfigureAwait(false);
        var watermarks = await DeadLetterCommands.WatermarksAsync(session, ct).ConfigureAwait(false);
        Dictionary<int, OffsetRange> ranges;
        if (selected is null)
        {
            var progress = (await bus.GetCommittedOffsetsAsync(ProgressGroup, topic, ct).ConfigureAwait(false)).ToDictionary(o => o.Partition, o => o.Offset);
            ranges = watermarks.ToDictionary(w => w.Partition, w => new OffsetRange(Math.Clamp(progress.GetValueOrDefault(w.Partition, w.Low), w.Low, w.High), w.High));
        }
        else
        {
            ranges = DeadLetterCommands.RangesOf(selected, watermarks, topic);
        }

        var wanted = selected?.ToHashSet();
        int sent = 0, skipped = 0;
        await foreach (var batch in TopicReader.ReadAsync(bus, topic, ranges, ct).ConfigureAwait(false))
        {
            var resend = new List<(ConsumedMessage Dead, string Origin)>();
            foreach (var dead in batch)
            {
                var position = new DeadLetterPosition(dead.Partition, dead.Offset);
                if (wanted is not null && !wanted.Contains(position))
                {
                    continue;
                }

                var origin = OriginOf(dead);
                string verb;
                if (redriven.Add(origin))
                {
                    resend.Add((dead, origin));
                    verb = dryRun ? "would re-send" : "re-sent";
                }
                else
                {
                    skipped++;
                    verb = "skipped (already redriven)";
                }

                await output.WriteLineAsync($"{verb} {position}  origin {origin}").ConfigureAwait(false);
            }

            if (!dryRun)
            {
                await ResendAsync(session, resend, format, ledger, ct).ConfigureAwait(false);
                if (selected is null)
                {
                    await bus.SetCommittedOffsetsAsync(
                        ProgressGroup,
                        [.. batch.GroupBy(m => m.Partition).Select(g => new TopicPartitionOffset(topic, g.Key, g.Max(m => m.Offset) + 1))],
                        ct).ConfigureAwait(false);
                }
            }

            sent += resend.Count;
        }

        await output.WriteLineAsync(dryRun
            ? $"Dry run: {sent} dead letter(s) would be re-sent, {skipped} already redriven; nothing sent."
            : $"Re-sent {sent} dead letter(s); {skipped} already redriven.").ConfigureAwait(false);
        if (!dryRun)
        {
            await session.AuditAsync(AuditActions.Redrive, topic, $"{sent} re-sent, {skipped} skipped{(format is null ? "" : $", format {format}")}", ct).ConfigureAwait(false);
        }
    }

    /// <summary>Sends the raw records (durable first), then records their origins in the ledger.</summary>
    private static async Task ResendAsync(OperatorSession session, List<(ConsumedMessage Dead, string Origin)> resend, string? format, string ledger, CancellationToken ct)
    {
        if (resend.Count == 0)
        {
            return;
        }

        foreach (var byTopic in resend.GroupBy(r => r.Dead.Header(DeadLetterHeaders.OriginTopic) ?? session.Options.Topics.Raw))
        {
            await session.Bus.ProduceAsync(byTopic.Key, [.. byTopic.Select(r => RawRecord(r.Dead, format))], ct).ConfigureAwait(false);
        }

        await session.Bus.ProduceAsync(
            ledger,
            [.. resend.Select(r => new BusMessage(Encoding.UTF8.GetBytes(new DeadLetterPosition(r.Dead.Partition, r.Dead.Offset).ToString())) { Key = Encoding.UTF8.GetBytes(r.Origin) })],
            ct).ConfigureAwait(false);
    }

    /// <summary>The dead letter's original bytes as a raw record: its source, file-id and format (or <paramref name="format"/>), the next attempt.</summary>
    internal static BusMessage RawRecord(ConsumedMessage dead, string? format)
    {
        var headers = new List<MessageHeader>(4);
        foreach (var h in dead.Headers)
        {
            if (h.Key is RawRecordHeaders.Source or RawRecordHeaders.FileId || (h.Key == RawRecordHeaders.Format && format is null))
            {
                headers.Add(h);
            }
        }

        if (format is not null)
        {
            headers.Add(new MessageHeader(RawRecordHeaders.Format, Encoding.UTF8.GetBytes(format)));
        }

        var attempt = int.TryParse(dead.Header(DeadLetterHeaders.Attempt), NumberStyles.None, CultureInfo.InvariantCulture, out var previous) ? previous : 1;
        headers.Add(new MessageHeader(DeadLetterHeaders.Attempt, Encoding.UTF8.GetBytes((attempt + 1).ToString(CultureInfo.InvariantCulture))));
        headers.Add(MessageSchemas.Raw.Header);
        return new BusMessage(dead.Value) { Headers = headers };
    }

    /// <summary>Where the dead letter's record came from: "topic/partition/offset#index" (its dead-letter position for a letter without origin headers).</summary>
    private static string OriginOf(ConsumedMessage dead) =>
        dead.Header(DeadLetterHeaders.OriginTopic) is { } originTopic
            ? $"{originTopic}/{dead.Header(DeadLetterHeaders.OriginPartition)}/{dead.Header(DeadLetterHeaders.OriginOffset)}#{dead.Header(DeadLetterHeaders.OriginIndex)}"
            : $"{dead.Topic}/{dead.Partition}/{dead.Offset}";

    private static async Task<HashSet<string>> RedrivenOriginsAsync(IMessageBus bus, string ledger, CancellationToken ct)
    {
        var origins = new HashSet<string>(StringComparer.Ordinal);
        var ranges = (await bus.GetWatermarksAsync(ledger, ct).ConfigureAwait(false)).ToDictionary(w => w.Partition, w => new OffsetRange(w.Low, w.High));
        await foreach (var batch in TopicReader.ReadAsync(bus, ledger, ranges, ct).ConfigureAwait(false))
        {
            foreach (var m in batch)
            {
                origins.Add(Encoding.UTF8.GetString(m.Key.GetValueOrDefault().Span));
            }
        }

        return origins;
    }
}

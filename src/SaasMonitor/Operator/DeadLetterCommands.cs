using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Events;

namespace SaasMonitor.Operator;

/// <summary><c>saasmon dlq list|show|redrive</c>: look at the records the parser could not read, and send them through again.</summary>
internal static class DeadLetterCommands
{
    private const int MessageWidth = 60;

    public static Command Create(Option<string> dataDirectory) =>
        new("dlq", "Dead letters: records the parser could not read, kept on the dead-letter topic with their bytes and the reason. Reading them moves no group's offsets.")
        {
            ListCommand(dataDirectory),
            ShowCommand(dataDirectory),
            DeadLetterRedrive.Create(dataDirectory),
        };

    /// <summary>Parses <c>partition:offset</c> tokens, reporting each bad one.</summary>
    internal static DeadLetterPosition[] ParsePositions(ArgumentResult result)
    {
        var positions = new List<DeadLetterPosition>(result.Tokens.Count);
        foreach (var token in result.Tokens)
        {
            if (DeadLetterPosition.TryParse(token.Value, out var position))
            {
                positions.Add(position);
            }
            else
            {
                result.AddError($"'{token.Value}' is not a dead letter's position: write partition:offset, e.g. 0:42.");
            }
        }

        return [.. positions];
    }

    /// <summary>The held offsets of each partition of the dead-letter topic.</summary>
    internal static async Task<IReadOnlyList<PartitionWatermark>> WatermarksAsync(OperatorSession session, CancellationToken ct) =>
        await session.Bus.GetWatermarksAsync(session.Options.Topics.DeadLetter, ct).ConfigureAwait(false);

    /// <summary>Ranges that cover exactly <paramref name="positions"/>, refusing a position the topic does not hold.</summary>
    internal static Dictionary<int, OffsetRange> RangesOf(IReadOnlyList<DeadLetterPosition> positions, IReadOnlyList<PartitionWatermark> watermarks, string topic)
    {
        foreach (var p in positions)
        {
            var w = watermarks.FirstOrDefault(w => w.Partition == p.Partition);
            if (w.Topic is null || p.Offset < w.Low || p.Offset >= w.High)
            {
                var held = w.Topic is null ? $"it has partitions 0 to {watermarks.Count - 1}" : $"partition {p.Partition} holds offsets {w.Low} to {w.High - 1}";
                throw new OperatorException($"There is no dead letter {p} on {topic}: {held}.");
            }
        }

        return positions.GroupBy(p => p.Partition).ToDictionary(g => g.Key, g => new OffsetRange(g.Min(p => p.Offset), g.Max(p => p.Offset) + 1));
    }

    /// <summary>Bytes as text: valid UTF-8 and line breaks as they are, other control characters and invalid bytes escaped.</summary>
    internal static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes, out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                text.Append(CultureInfo.InvariantCulture, $"\\x{bytes[0]:X2}");
                bytes = bytes[1..];
                continue;
            }

            _ = rune.Value switch
            {
                '\n' => text.Append('\n'),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                '\\' => text.Append("\\\\"),
                _ when System.Text.Rune.IsControl(rune) => text.Append(CultureInfo.InvariantCulture, $"\\u{rune.Value:X4}"),
                _ => text.Append(rune.ToString()),
            };
            bytes = bytes[consumed..];
        }

        return text.ToString();
    }

    private static Command ListCommand(Option<string> dataDirectory)
    {
        var limit = new Option<int>("--limit") { Description = "Show at most this many dead letters.", DefaultValueFactory = _ => 50 };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--limit must be 1 or more.");
            }
        });
        var fromOffset = new Option<long?>("--from-offset") { Description = "Start at this offset in each partition (default: the oldest held)." };
        var command = new Command("list", "One line per dead letter: position (partition:offset), failed at, error type and message, origin topic/partition/offset#index, source/format, size.")
        {
            limit,
            fromOffset,
        };
        OperatorCommands.SetAction(command, dataDirectory, "reading its dead letters", (session, parse, ct) => ListAsync(session, parse.GetValue(limit), parse.GetValue(fromOffset), ct));
        return command;
    }

    private static Command ShowCommand(Option<string> dataDirectory)
    {
        var position = new Argument<DeadLetterPosition>("position")
        {
            Description = "The dead letter, as partition:offset (see dlq list).",
            CustomParser = r => ParsePositions(r).FirstOrDefault(),
        };
        var command = new Command("show", "Every header of one dead letter and its original bytes as text (escaped where not printable).") { position };
        OperatorCommands.SetAction(command, dataDirectory, "reading its dead letters", (session, parse, ct) => ShowAsync(session, parse.GetValue(position), ct));
        return command;
    }

    private static async Task ListAsync(OperatorSession session, int limit, long? fromOffset, CancellationToken ct)
    {
        var topic = session.Options.Topics.DeadLetter;
        var watermarks = await WatermarksAsync(session, ct).ConfigureAwait(false);
        var ranges = watermarks.ToDictionary(w => w.Partition, w =>
        {
            var from = Math.Clamp(fromOffset ?? w.Low, w.Low, w.High);
            return new OffsetRange(from, Math.Min(w.High, from + limit));
        });
        var output = session.Output;
        var shown = 0;
        await foreach (var batch in TopicReader.ReadAsync(session.Bus, topic, ranges, ct).ConfigureAwait(false))
        {
            foreach (var m in batch.Take(limit - shown))
            {
                await output.WriteLineAsync(Line(m)).ConfigureAwait(false);
                shown++;
            }

            if (shown == limit)
            {
                break;
            }
        }

        var held = watermarks.Sum(w => w.High - w.Low);
        await output.WriteLineAsync($"{shown} of {held} dead letter(s) on {topic}.").ConfigureAwait(false);
    }

    private static async Task ShowAsync(OperatorSession session, DeadLetterPosition position, CancellationToken ct)
    {
        var topic = session.Options.Topics.DeadLetter;
        var ranges = RangesOf([position], await WatermarksAsync(session, ct).ConfigureAwait(false), topic);
        await foreach (var batch in TopicReader.ReadAsync(session.Bus, topic, ranges, ct).ConfigureAwait(false))
        {
            var m = batch[0];
            var output = session.Output;
            await output.WriteLineAsync($"dead letter {position} on {topic}, appended {m.Timestamp:O}").ConfigureAwait(false);
            foreach (var h in m.Headers)
            {
                await output.WriteLineAsync($"{h.Key}: {Printable(h.Value.Span)}").ConfigureAwait(false);
            }

            await output.WriteLineAsync($"original bytes ({m.Value.Length}):").ConfigureAwait(false);
            await output.WriteLineAsync(Printable(m.Value.Span)).ConfigureAwait(false);
            return;
        }

        throw new OperatorException($"Dead letter {position} could not be read from {topic}.");
    }

    private static string Line(ConsumedMessage m)
    {
        var message = m.Header(DeadLetterHeaders.ErrorMessage) ?? "";
        message = message.Length > MessageWidth ? string.Concat(message.AsSpan(0, MessageWidth - 1), "…") : message;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{m.Partition}:{m.Offset}  {m.Header(DeadLetterHeaders.FailedAt) ?? "-"}  {m.Header(DeadLetterHeaders.ErrorType) ?? "-"}  {message.ReplaceLineEndings(" ")}  " +
            $"origin {m.Header(DeadLetterHeaders.OriginTopic)}/{m.Header(DeadLetterHeaders.OriginPartition)}/{m.Header(DeadLetterHeaders.OriginOffset)}#{m.Header(DeadLetterHeaders.OriginIndex)}  " +
            $"{m.Header(RawRecordHeaders.Source) ?? "-"}/{m.Header(RawRecordHeaders.Format) ?? "-"}  {m.Value.Length} B  attempt {m.Header(DeadLetterHeaders.Attempt) ?? "1"}");
    }
}

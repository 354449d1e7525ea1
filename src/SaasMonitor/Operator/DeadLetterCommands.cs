using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;
using SaasMonitor.Core.Bus;
using SaasMonitor.Hosting.DeadLetters;

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
        var queue = session.DeadLetters;
        var letters = await queue.ReadAsync(fromOffset, limit, ct).ConfigureAwait(false);
        foreach (var letter in letters)
        {
            await session.Output.WriteLineAsync(Line(letter)).ConfigureAwait(false);
        }

        var held = (await queue.WatermarksAsync(ct).ConfigureAwait(false)).Sum(w => w.High - w.Low);
        await session.Output.WriteLineAsync($"{letters.Count} of {held} dead letter(s) on {queue.Topic}.").ConfigureAwait(false);
    }

    private static async Task ShowAsync(OperatorSession session, DeadLetterPosition position, CancellationToken ct)
    {
        var letter = await session.DeadLetters.GetAsync(position, ct).ConfigureAwait(false);
        var output = session.Output;
        await output.WriteLineAsync($"dead letter {position} on {session.DeadLetters.Topic}, appended {letter.AppendedAt:O}").ConfigureAwait(false);
        foreach (var h in letter.Headers)
        {
            await output.WriteLineAsync($"{h.Key}: {DeadLetter.Printable(h.Value.Span)}").ConfigureAwait(false);
        }

        await output.WriteLineAsync($"original bytes ({letter.Original.Length}):").ConfigureAwait(false);
        await output.WriteLineAsync(letter.Text).ConfigureAwait(false);
    }

    private static string Line(DeadLetter d)
    {
        var message = d.ErrorMessage ?? "";
        message = message.Length > MessageWidth ? string.Concat(message.AsSpan(0, MessageWidth - 1), "…") : message;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{d.Position}  {d.FailedAt ?? "-"}  {d.ErrorType ?? "-"}  {message.ReplaceLineEndings(" ")}  origin {d.Origin}  " +
            $"{d.Source ?? "-"}/{d.Format ?? "-"}  {d.Original.Length} B  attempt {d.Attempt}");
    }
}

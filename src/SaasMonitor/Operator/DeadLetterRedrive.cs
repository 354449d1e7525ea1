using System.CommandLine;
using System.Globalization;
using System.Text;
using SaasMonitor.Core.Bus;
using SaasMonitor.Core.Identity;
using SaasMonitor.Core.Events;
using SaasMonitor.Hosting.DeadLetters;

namespace SaasMonitor.Operator;

/// <summary><c>saasmon dlq redrive</c>: re-sends dead letters' original bytes to their origin topic as new raw records, once each (see <see cref="DeadLetterQueue"/>).</summary>
internal static class DeadLetterRedrive
{
    private const string Description = """
        Re-sends dead letters' original bytes to their origin topic with their source, file-id and format headers
        (or --format, to fix records sent with the wrong format) and attempt = previous attempt + 1. Each dead letter
        is re-sent once: a second redrive skips what was re-sent before (also a duplicate dead letter left by a parser
        replay). Stop the server first on the embedded bus, or redrive from the dashboard's dead-letter page (or
        POST /api/dead-letters/redrive) while it runs. Examples:
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
        var queue = session.DeadLetters;
        var result = await queue.RedriveAsync(selected, format is null ? null : RawFormats.FromName(format), dryRun, OperatorSession.Operator, ct).ConfigureAwait(false);
        foreach (var item in result.Items)
        {
            var verb = !item.Resent ? "skipped (already redriven)" : dryRun ? "would re-send" : "re-sent";
            await session.Output.WriteLineAsync($"{verb} {item.Position}  origin {item.Origin}").ConfigureAwait(false);
        }

        await session.Output.WriteLineAsync(dryRun
            ? $"Dry run: {result.Resent} dead letter(s) would be re-sent, {result.Skipped} already redriven; nothing sent."
            : $"Re-sent {result.Resent} dead letter(s); {result.Skipped} already redriven.").ConfigureAwait(false);
    }
}
